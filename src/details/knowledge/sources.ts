/**
 * Source URLs for the knowledge base, by short key, so each entry in the tables names the page its
 * facts come from. Microsoft's NDR articles are all cited in one style
 * (https://learn.microsoft.com/en-us/troubleshoot/exchange/email-delivery/ndr/<article>); the
 * facts of each one are transcribed, with the page's date, in test/fixtures/ndr-codes.json.
 */
const NDR_FOLDER = 'https://learn.microsoft.com/en-us/troubleshoot/exchange/email-delivery/ndr/';

export const SRC = {
  /** Email non-delivery reports and SMTP errors in Exchange Online (the generic table). */
  N1: `${NDR_FOLDER}non-delivery-reports-in-exchange-online`,
  N2: `${NDR_FOLDER}fix-error-code-550-5-1-10-in-exchange-online`,
  N3: `${NDR_FOLDER}fix-error-code-550-5-1-1-through-5-1-20-in-exchange-online`,
  N4: `${NDR_FOLDER}fix-error-code-550-4-4-7-in-exchange-online`,
  /** Also covers 5.7.0 through 5.7.999, and names DSN 5.7.129 (disabled on-premises account). */
  N5: `${NDR_FOLDER}fix-error-code-550-5-7-1-in-exchange-online`,
  /** 5.1.8 (2026 article: "Restricted entities", unblock usually within an hour). */
  N6: `${NDR_FOLDER}fix-error-code-550-5-1-8`,
  N7: `${NDR_FOLDER}fix-error-code-451-4-7-500-699-asxxx-in-exchange-online`,
  /** The 5.7.700–5.7.750 family (2024 article). */
  N8: `${NDR_FOLDER}fix-error-code-5-7-700-through-5-7-750`,
  /** 5.7.703, 5.7.705, 5.7.708 and 5.7.750, one section each (2026 article). */
  N8_CODES: `${NDR_FOLDER}fix-error-codes-550-5-7-703-550-5-7-705-550-5-7-708-550-5-7-750`,
  N9_5_7_12: `${NDR_FOLDER}fix-error-code-5-7-12-in-exchange-online`,
  N9_5_7_124: `${NDR_FOLDER}fix-error-code-5-7-124-in-exchange-online`,
  N9_5_7_133: `${NDR_FOLDER}fix-error-code-5-7-133-in-exchange-online`,
  N9_5_7_134: `${NDR_FOLDER}fix-error-code-5-7-134-in-exchange-online`,
  N9_5_7_136: `${NDR_FOLDER}fix-error-code-5-7-136-in-exchange-online`,
  N9_5_7_13: `${NDR_FOLDER}fix-error-code-5-7-13-or-5-7-135-in-exchange-online`,
  N10_5_7_23: `${NDR_FOLDER}fix-error-code-5-7-23-in-exchange-online`,
  N10_5_7_57: `${NDR_FOLDER}fix-error-code-5-7-57-in-exchange-online`,
  N10_5_7_64: `${NDR_FOLDER}fix-error-code-5-7-64-in-exchange-online`,
  /** 550 5.4.1 "Recipient address rejected: Access denied" (Directory-Based Edge Blocking; 2026 article). */
  N11_EDGE: `${NDR_FOLDER}fix-error-code-550-5-4-1`,
  /** 550 5.4.1 "Relay Access Denied" (MX, DNS, hybrid; 2024 article). */
  N11: `${NDR_FOLDER}fix-error-code-550-5-4-1-in-exchange-online`,
  N12: `${NDR_FOLDER}fix-error-code-5-4-6-through-5-4-20-in-exchange-online`,
  N13_5_6_11: `${NDR_FOLDER}fix-error-code-550-5-6-11-in-exchange-online`,
  N13_5_0_350: `${NDR_FOLDER}fix-error-code-550-5-0-350-in-exchange-online`,
  N13_5_1_0: `${NDR_FOLDER}fix-error-code-550-5-1-0-in-exchange-online`,
  N13_QUOTA: `${NDR_FOLDER}fix-error-for-submission-quota-exceeded-in-exchange-online`,
  N14: 'https://support.microsoft.com/en-us/topic/fix-ndr-error-550-5-7-515-in-outlook-com-34cfe8f8-6fbf-457e-9e8b-9e4dbaf4e0ef',
  N15: 'https://learn.microsoft.com/en-us/defender-office-365/outbound-spam-policies-external-email-forwarding',
  /** 550 5.1.20, multiple From addresses without a Sender address. */
  N_5_1_20: `${NDR_FOLDER}fix-error-code-550-5-1-20-multiple-from-addresses`,
  /** 450 4.4.317 [Message=UntrustedRoot]: the remote server must send the full certificate chain. */
  N_4_4_317: `${NDR_FOLDER}fix-error-code-450-4-4-317-untrusted-root`,
  /** 550 5.7.193, a Microsoft 365 group that does not accept external senders. */
  N_5_7_193: `${NDR_FOLDER}550-5-7-193-when-external-users-send-to-microsoft-365-group`,
  /** 550 5.7.367, forwarded or relayed mail sent from the relay pool and refused downstream. */
  N_5_7_367: `${NDR_FOLDER}forwarded-message-rejected-5-7-367-ndr`,
  /** 5.7.1 "Unable To Relay: Blocked by Customer Allow list". */
  N_5_7_1_ALLOW_LIST: `${NDR_FOLDER}unable-to-relay-blocked-by-allow-list`,
  /** Mail flow intelligence: 4.4.312, 4.4.315, 4.4.316, 4.4.317, 4.4.318, 4.7.320 for mail sent through connectors. */
  MFI: 'https://learn.microsoft.com/en-us/defender-office-365/mail-flow-intelligence-in-office-365',
  T1: 'https://learn.microsoft.com/en-us/exchange/monitoring/trace-an-email-message/message-trace-modern-eac',
  T2: 'https://learn.microsoft.com/en-us/exchange/monitoring/trace-an-email-message/message-trace-faq',
  T3: 'https://learn.microsoft.com/en-us/exchange/monitoring/trace-an-email-message/run-a-message-trace-and-view-results',
  T4: 'https://learn.microsoft.com/en-us/exchange/mail-flow/transport-logs/message-tracking',
  T5: 'https://learn.microsoft.com/powershell/module/exchangepowershell/get-messagetracedetailv2',
  T6: 'https://learn.microsoft.com/powershell/module/exchangepowershell/get-messagetracev2',
  T8: 'https://learn.microsoft.com/en-us/powershell/module/exchange/get-messagetrace',
  G1: 'https://learn.microsoft.com/en-us/graph/api/resources/exchangemessagetrace',
  G4: 'https://learn.microsoft.com/en-us/previous-versions/office/developer/o365-enterprise-developers/jj984328(v=office.15)',
  H1: 'https://learn.microsoft.com/en-us/defender-office-365/message-headers-eop-mdo',
  H2: 'https://learn.microsoft.com/en-us/defender-office-365/anti-spam-spam-confidence-level-scl-about',
  H3: 'https://help.it.ox.ac.uk/examine-junk-mail-delivery',
  R1: 'https://www.rfc-editor.org/rfc/rfc3463',
  Q1: 'https://learn.microsoft.com/en-us/answers/questions/1280411/exchange-online-error-during-connectors-work-with',
  Q2: 'https://learn.microsoft.com/en-us/answers/questions/2149611/sending-e-mails-to-bigpond-com-customers-bound-bac',
  Q3: 'https://learn.microsoft.com/en-us/answers/questions/1187616/lost-connectivity-between-exchange-2013-on-prem-an',
  Q4: 'https://learn.microsoft.com/en-us/answers/questions/176723/out-of-office-messages-drop-in-exchange-online-o36',
  Q5: 'https://learn.microsoft.com/en-us/answers/questions/347573/transport-rule-false-positive',
  Q6: 'https://learn.microsoft.com/en-us/answers/questions/217811/to-find-which-transport-rule-was-applied-to-a-spec',
  Q7: 'https://learn.microsoft.com/en-us/answers/questions/389033/exchange-2016-transportagent-message-deleted-by-tr',
  I2: 'https://github.com/MicrosoftDocs/office-docs-powershell/issues/8240',
  I3: 'https://github.com/MicrosoftDocs/OfficeDocs-Exchange/issues/821',
  I4: 'https://github.com/MicrosoftDocs/OfficeDocs-o365seccomp/issues/937',
  /** DLP rule event added to the trace docs. */
  DLP_EVENT: 'https://github.com/MicrosoftDocs/OfficeDocs-Exchange/pull/2294',
  /** On-premises write-up of `451 4.4.0 DNS query failed … SMTPSEND.DNS.NonExistentDomain`. */
  DNS_NONEXISTENT: 'https://markgossa.com/2015/09/451-440-dns-query-failed-error-was.html',
} as const;
