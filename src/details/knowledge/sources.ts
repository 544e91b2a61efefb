/**
 * Source URLs for the knowledge base. Keys follow §0 of /work/shared/reference/ndr-events.md, so each
 * entry in the tables can name the page its facts come from. Sibling pages of a §0 key (same Learn
 * folder, one article per code) are listed under the key with a suffix.
 */
const NDR_FOLDER = 'https://learn.microsoft.com/en-us/exchange/troubleshoot/email-delivery/ndr/';

export const SRC = {
  /** Email non-delivery reports and SMTP errors in Exchange Online. */
  N1: 'https://learn.microsoft.com/en-us/troubleshoot/exchange/email-delivery/ndr/non-delivery-reports-in-exchange-online',
  N2: `${NDR_FOLDER}fix-error-code-550-5-1-10-in-exchange-online`,
  N3: `${NDR_FOLDER}fix-error-code-550-5-1-1-through-5-1-20-in-exchange-online`,
  N4: `${NDR_FOLDER}fix-error-code-550-4-4-7-in-exchange-online`,
  N5: `${NDR_FOLDER}fix-error-code-550-5-7-1-in-exchange-online`,
  N6: `${NDR_FOLDER}fix-error-code-5-1-8-in-exchange-online`,
  N7: `${NDR_FOLDER}fix-error-code-451-4-7-500-699-asxxx-in-exchange-online`,
  N8: `${NDR_FOLDER}fix-error-code-5-7-700-through-5-7-750`,
  N9_5_7_12: `${NDR_FOLDER}fix-error-code-5-7-12-in-exchange-online`,
  N9_5_7_124: `${NDR_FOLDER}fix-error-code-5-7-124-in-exchange-online`,
  N9_5_7_133: `${NDR_FOLDER}fix-error-code-5-7-133-in-exchange-online`,
  N9_5_7_134: `${NDR_FOLDER}fix-error-code-5-7-134-in-exchange-online`,
  N9_5_7_136: `${NDR_FOLDER}fix-error-code-5-7-136-in-exchange-online`,
  N9_5_7_13: `${NDR_FOLDER}fix-error-code-5-7-13-or-5-7-135-in-exchange-online`,
  N10_5_7_23: `${NDR_FOLDER}fix-error-code-5-7-23-in-exchange-online`,
  N10_5_7_57: `${NDR_FOLDER}fix-error-code-5-7-57-in-exchange-online`,
  N10_5_7_64: `${NDR_FOLDER}fix-error-code-5-7-64-in-exchange-online`,
  N11: `${NDR_FOLDER}fix-error-code-550-5-4-1-in-exchange-online`,
  N12: `${NDR_FOLDER}fix-error-code-5-4-6-through-5-4-20-in-exchange-online`,
  N13_5_6_11: `${NDR_FOLDER}fix-error-code-550-5-6-11-in-exchange-online`,
  N13_5_0_350: `${NDR_FOLDER}fix-error-code-550-5-0-350-in-exchange-online`,
  N13_5_1_0: `${NDR_FOLDER}fix-error-code-550-5-1-0-in-exchange-online`,
  N13_QUOTA: `${NDR_FOLDER}fix-error-for-submission-quota-exceeded-in-exchange-online`,
  N14: 'https://support.microsoft.com/en-au/topic/fix-ndr-error-550-5-7-515-in-outlook-com-34cfe8f8-6fbf-457e-9e8b-9e4dbaf4e0ef',
  N15: 'https://learn.microsoft.com/en-us/defender-office-365/outbound-spam-policies-external-email-forwarding',
  /** 550 5.1.20 (multiple From addresses); SupportArticles-docs file of the same name. */
  N_5_1_20: 'https://learn.microsoft.com/en-us/troubleshoot/exchange/email-delivery/ndr/fix-error-code-550-5-1-20-multiple-from-addresses',
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
  /** DLP rule event added to the trace docs (cited in ndr-events.md §3). */
  DLP_EVENT: 'https://github.com/MicrosoftDocs/OfficeDocs-Exchange/pull/2294',
  /** On-premises write-up of `451 4.4.0 DNS query failed … SMTPSEND.DNS.NonExistentDomain` (ndr-events.md §5.3). */
  DNS_NONEXISTENT: 'https://markgossa.com/2015/09/451-440-dns-query-failed-error-was.html',
} as const;
