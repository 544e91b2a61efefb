/**
 * Enhanced status codes (RFC 3463 `class.subject.detail`) as Exchange Online uses them, explained
 * for admins: what happened, who has to act, what to do, and whether waiting or resending helps.
 *
 * Each entry agrees with the Microsoft page it cites (the NDR table "Email non-delivery reports and
 * SMTP errors in Exchange Online", a per-code "fix-error-code-…" article, or the mail flow
 * intelligence page); the facts are transcribed with their URLs in test/fixtures/ndr-codes.json and
 * the tests hold every entry to them. The wording is ours.
 *
 * Lookup order: an exact code (a case-specific row first when its case selector matches the event),
 * then a documented range (4.7.500-699, 5.7.700-750, …), then a fallback built from the RFC 3463
 * class and subject that never names an owner Microsoft's class page contradicts.
 */
import { fenceUntrusted } from '../../output/untrusted.js';
import { SRC } from './sources.js';

export type FixOwner =
  | 'sender'
  | 'sender admin'
  | 'recipient admin'
  | 'recipient'
  | 'group owner'
  | 'Microsoft'
  | 'nobody (retried automatically)';

export interface StatusCodeExplanation {
  /** The code asked about, normalised `x.y.z`, e.g. '5.4.310'. */
  code: string;
  /** true = a specific entry (exact code or documented range); false = RFC 3463 fallback. */
  known: boolean;
  /** The entry's code or range as written in the table, or 'x.y.z (RFC 3463 class/subject)'. */
  matched: string;
  /** One or two plain sentences. */
  meaning: string;
  fixOwner: FixOwner;
  /** The concrete fix, imperative, one to three sentences. */
  fix: string;
  /** Whether waiting and retrying (or resending unchanged later) can succeed. */
  retryHelps: boolean;
  /** Class 5. */
  permanent: boolean;
  learnMoreUrl: string;
  /** The documented error wording of the entry that matched, when the table gives one. */
  documentedText?: string;
  /** Which of a code's cases the event shows, when the owner or fix depends on the case (e.g. 'wrong MX'). */
  case?: string;
  /** How to tell that code's cases apart from the event text. */
  tellApart?: string;
  /** No entry covers this code: the answer is built from the RFC 3463 class and Microsoft's class page. */
  fallback?: true;
  /**
   * Present when the entry rests on weak evidence (a single sample, not on a Microsoft page), or
   * when a 4.x.x code came with a 5xx reply code ('550 4.4.7 QUEUE.Expired'): final despite class 4.
   */
  caveat?: string;
}

/** What the event says around the code: the case selectors of an entry read it. */
export interface StatusContext {
  /** The error text of the event (reply code, component, text). */
  text?: string;
  /**
   * The remote server that answered, when the event names one (`{FQDN=…}`, `LastAttemptedServerName`,
   * `OutboundProxyTargetHostName`). Its presence tells "the destination refused" from "the sending
   * side's own relay refused".
   */
  remoteHost?: string;
}

/** A run of detail numbers within one subject, for one or both classes. */
export interface StatusCodeRange {
  classes: readonly (4 | 5)[];
  subject: number;
  from: number;
  to: number;
}

export interface StatusCodeEntry {
  /** The code or range as written in the source table, e.g. '5.1.10', '4.4.8 / 5.4.8', '4.7.500-699'. */
  code: string;
  /** Exact codes this entry answers for (both forms where the table pairs a 4.x and a 5.x code). */
  exact?: readonly string[];
  /** Documented ranges this entry answers for. */
  ranges?: readonly StatusCodeRange[];
  /**
   * Case selector, text part: the entry applies only when the error text matches. Used where one
   * code has several documented meanings (the 5.7.1 rows) or a meaning only for a given wording.
   */
  whenText?: RegExp;
  /**
   * Case selector, remote part: true = only when the event names a remote server that answered,
   * false = only when it names none.
   */
  whenRemote?: boolean;
  /** The case's name, shown with the diagnosis (e.g. 'edge blocking', 'wrong MX'). */
  caseName?: string;
  /** How to tell this code's cases apart from the event text. */
  tellApart?: string;
  /** The documented error wording (short form), shown to help match an NDR. */
  documentedText?: string;
  meaning: string;
  fixOwner: FixOwner;
  fix: string;
  /** Omitted = by class: true for 4.x.x (and 2.x.x never needs a retry), false for 5.x.x. */
  retryHelps?: boolean;
  learnMoreUrl: string;
  caveat?: string;
}

const ONE_SAMPLE = 'Seen in a single real-world sample, not on a Microsoft NDR reference page.';
const ON_PREMISES = 'Seen on Exchange Server (on-premises); Exchange Online may word it differently.';
const NO_PAGE =
  'No Microsoft page documents this code: its meaning comes from the bounce text seen in the wild and from RFC 3463 (class.subject.detail).';

const RELAY_TELL_APART =
  'If the event names a remote server that answered (FQDN, LastAttemptedServerName), the destination domain\'s own server refused: its MX or domain setup is wrong. If it names none, or the text speaks of authentication or permission, the sending system has no right to relay through that server.';
const AUTH_TELL_APART =
  'If the event names a remote server that answered, the recipient\'s server demands authentication from internet senders; if it names none, the sending system did not authenticate where it has to.';
const EDGE_TELL_APART =
  '"Recipient address rejected: Access denied" is Directory-Based Edge Blocking of an address missing from the recipient\'s directory; "Relay Access Denied" is a server that does not accept the recipient\'s domain (MX, DNS, hybrid).';

const UNTRUSTED_TELL_APART =
  'The text says UntrustedRoot: the certificate chain is incomplete; other 4.4.317 texts are connection or TLS failures named in the bracketed message.';
const EXPIRED_TELL_APART =
  'AmbiguousRecipientTransientException in the text means a directory problem at the recipient\'s organization; any other 4.4.7 is a destination that could not be reached in time.';
const DG_REF_TELL_APART =
  'The text names the case: "x-dg-ref header is too long" (Rich Text) or "(AS345)" (nested attachments); anything else is the recipient system\'s own error.';
const SPF_510_TELL_APART =
  'Text mentioning SPF means the sending domain\'s SPF record; otherwise the recipient blocks the sender or the Auto-Complete entry is stale.';

/** 5.7.1 "Unable to relay" when the sending side has no right to relay (selected by wording, or by no remote server). */
const NO_RELAY_PERMISSION: StatusCodeEntry = {
  code: '5.7.1',
  exact: ['5.7.1'],
  caseName: 'no relay permission',
  tellApart: RELAY_TELL_APART,
  documentedText: 'Unable to relay',
  meaning:
    'The sending system tried to relay through a server that does not give it permission to relay: the refusal came from the relay, not from the destination.',
  fixOwner: 'sender admin',
  fix: 'The sending system\'s admin gives the device, app or server the right to relay there (a connector, or authenticated submission), then resends.',
  learnMoreUrl: SRC.N1,
};

export const STATUS_CODE_ENTRIES: readonly StatusCodeEntry[] = [
  // ── class 2: success ──────────────────────────────────────────────────────────────────────────
  {
    code: '2.1.5',
    exact: ['2.1.5'],
    whenText: /RESOLVER\.GRP\.Expanded|distribution list expanded/i,
    documentedText: '250 2.1.5 RESOLVER.GRP.Expanded; distribution list expanded',
    meaning:
      'Success: a distribution group was expanded into its members. The Drop that carries this code is the normal end of the group\'s own copy; each member has rows of its own.',
    fixOwner: 'nobody (retried automatically)',
    fix: 'Nothing to fix. To see whether a member got the message, trace that member\'s address.',
    retryHelps: false,
    learnMoreUrl: SRC.T4,
  },
  {
    code: '2.1.5',
    exact: ['2.1.5'],
    whenText: /RESOLVER\.OOF\.IntToExt|internal OOF/i,
    documentedText: '250 2.1.5 RESOLVER.OOF.IntToExt; handled internal OOF addressed to external recipient',
    meaning:
      'Success, not a failure: an automatic reply (out of office) written for internal senders was addressed to an outside recipient, so the service held it back by design.',
    fixOwner: 'nobody (retried automatically)',
    fix: 'Nothing to fix. If outside senders should get an automatic reply, the user sets an external reply message.',
    retryHelps: false,
    learnMoreUrl: SRC.Q4,
  },
  {
    code: '2.1.5',
    exact: ['2.1.5'],
    documentedText: '250 2.1.5 Recipient OK',
    meaning:
      'Success: the recipient was accepted. On a Drop or Expand event this marks the normal end of that copy (for example a group expansion or an automatic reply), not a lost message.',
    fixOwner: 'nobody (retried automatically)',
    fix: 'Nothing to fix. If the recipient still reports the mail missing, look at the rows that follow for that recipient (Deliver, and the folder it went to).',
    retryHelps: false,
    learnMoreUrl: SRC.T4,
  },

  // ── class 4: temporary ────────────────────────────────────────────────────────────────────────
  {
    code: '4.3.2',
    exact: ['4.3.2'],
    whenText: /QUEUE\.TransportAgent|deleted by transport agent/i,
    caseName: 'deleted by a transport agent',
    documentedText: '550 4.3.2 QUEUE.TransportAgent; message deleted by transport agent',
    meaning:
      'A transport agent (often a third-party add-on named in the event\'s source context) deleted the message. Despite the 4.x code, that copy is gone and will not be retried.',
    fixOwner: 'recipient admin',
    fix: 'The admin of the server that runs the agent checks that product\'s logs and policy to learn why it deleted the message, and adds an exception if it should pass.',
    retryHelps: false,
    learnMoreUrl: SRC.Q7,
    caveat: ON_PREMISES,
  },
  {
    code: '4.3.2',
    exact: ['4.3.2'],
    documentedText: 'STOREDRV.Deliver; recipient thread limit exceeded',
    meaning:
      'The recipient\'s mailbox is receiving too many messages too quickly, so the mailbox store throttles its deliveries on purpose.',
    fixOwner: 'nobody (retried automatically)',
    fix: 'Nothing to do: Exchange Online tries again shortly and the message normally goes through.',
    learnMoreUrl: SRC.N1,
  },
  {
    code: '4.4.312',
    exact: ['4.4.312'],
    documentedText: '450 4.4.312 DNS query failed',
    meaning:
      'Exchange Online could not deliver through a connector because the DNS lookup of the destination (the smart host, or the domain\'s MX) failed.',
    fixOwner: 'recipient admin',
    fix: 'The destination domain\'s admin works with its DNS host to fix the lookup (an expired domain, or a recent MX change still cached, can also cause it). If the destination is a partner service, contact that partner.',
    learnMoreUrl: SRC.MFI,
  },
  {
    code: '4.4.315',
    exact: ['4.4.315'],
    documentedText: '450 4.4.315 Connection timed out',
    meaning: 'Exchange Online could not reach the destination server behind a connector: the connection timed out.',
    fixOwner: 'recipient admin',
    fix: 'The destination\'s admin checks whether its mail server is down or its network changed (new IP addresses after an ISP change), and corrects the connector\'s smart host if it points at the wrong address. For a partner service, contact the partner.',
    learnMoreUrl: SRC.MFI,
  },
  {
    code: '4.4.316',
    exact: ['4.4.316'],
    documentedText: 'Connection refused [Message=Socket error code 10061]',
    meaning:
      'The destination mail server refused the connection from Exchange Online; the error names the IP address that refused. For mail sent through a connector this is often a firewall that blocks Microsoft 365, or an on-premises server that was shut down while the connector stayed on.',
    fixOwner: 'recipient admin',
    fix: 'The destination\'s admin lets Microsoft 365 IP addresses connect on TCP port 25. If on-premises mail was retired on purpose, disable or delete the connector to it and set the accepted domain to Authoritative (takes 30 to 60 minutes). An external or partner destination fixes its own server or network.',
    learnMoreUrl: SRC.MFI,
  },
  {
    code: '4.4.317',
    exact: ['4.4.317'],
    whenText: /UntrustedRoot/i,
    caseName: 'untrusted root',
    tellApart: UNTRUSTED_TELL_APART,
    documentedText: '450 4.4.317 Cannot connect to remote server [Message=UntrustedRoot]',
    meaning:
      'TLS with the remote server failed because it presented only its own certificate, without the intermediate ones, so Exchange Online could not chain it to a trusted root.',
    fixOwner: 'recipient admin',
    fix: 'The remote server\'s admin configures it to send the full certificate chain; Exchange Online does not fetch missing intermediate certificates. Exchange Online retries meanwhile.',
    learnMoreUrl: SRC.N_4_4_317,
  },
  {
    code: '4.4.317',
    exact: ['4.4.317'],
    caseName: 'cannot connect',
    tellApart: UNTRUSTED_TELL_APART,
    documentedText: '450 4.4.317 Cannot connect to remote server [Message=…]',
    meaning:
      'Exchange Online reached the destination server, but it answered with an immediate error or did not meet the connection requirements, for example TLS that the connector requires. The bracketed Message part says which.',
    fixOwner: 'recipient admin',
    fix: 'The destination\'s admin checks the TLS settings and certificates on its mail servers and the TLS settings of the connector. For a partner service, contact the partner.',
    learnMoreUrl: SRC.MFI,
  },
  {
    code: '4.4.318',
    exact: ['4.4.318'],
    documentedText: '450 4.4.318 Connection was closed abruptly',
    meaning: 'The connection was closed abruptly in the middle of the SMTP session: the destination server or the network in between dropped it.',
    fixOwner: 'recipient admin',
    fix: 'The destination\'s admin checks firewall SMTP inspection rules, the mail server\'s health (hangs, crashes, low resources) and the network path to Microsoft 365.',
    learnMoreUrl: SRC.MFI,
  },
  {
    code: '4.7.320',
    exact: ['4.7.320'],
    documentedText: '450 4.7.320 Certificate validation failed',
    meaning: 'Exchange Online could not validate the destination server\'s certificate: expired, the wrong subject, or no longer valid.',
    fixOwner: 'recipient admin',
    fix: 'The destination\'s admin fixes the certificate, or the certificate settings on the connector, so the queued messages can be delivered.',
    learnMoreUrl: SRC.MFI,
  },
  {
    code: '4.4.7',
    exact: ['4.4.7'],
    whenText: /AmbiguousRecipient/i,
    caseName: 'ambiguous recipient',
    tellApart: EXPIRED_TELL_APART,
    documentedText: 'Transient Failure during recipients lookup AmbiguousRecipientTransientException',
    meaning:
      'Exchange Online found more than one directory object with the recipient\'s address and could not tell which one to deliver to, so the message waited until it expired.',
    fixOwner: 'recipient admin',
    fix: 'The admin of the recipient\'s directory finds the objects that share the address (a mailbox and a mail user or contact, duplicates left by a migration, overlapping proxy addresses between on-premises and the cloud) and removes the duplicate. Recent changes can also need time to spread through the service.',
    learnMoreUrl: SRC.N4,
  },
  {
    code: '4.4.7',
    exact: ['4.4.7'],
    caseName: 'queue expired',
    tellApart: EXPIRED_TELL_APART,
    documentedText: 'Message expired / 550 4.4.7 QUEUE.Expired; message expired',
    meaning:
      'The message expired in the queue because the destination server was offline, unreachable, refused it, timed out, or its domain has a missing or wrong MX record. Exchange Online retries for 24 hours; once the text reads "550 4.4.7 QUEUE.Expired" it has given up and the sender gets an NDR.',
    fixOwner: 'recipient admin',
    fix: 'The destination\'s admins stop blocking Exchange Online and check their MX and DNS records. If the problem is not on their side, the sender\'s admin checks the domain\'s SPF record, that the domain has not expired, and reruns the Hybrid Configuration Wizard in a hybrid setup; then resend.',
    learnMoreUrl: SRC.N4,
  },
  {
    code: '4.7.0 (4.4.7 variant)',
    exact: ['4.7.0', '4.4.7'],
    whenText: /Proxy session setup failed/i,
    caseName: 'proxy session',
    documentedText: "450 4.7.0 Proxy session setup failed on Frontend with '451 4.4.0 Primary target IP address responded with …'",
    meaning:
      'A front-end proxy inside Exchange Online could not open a session to the next server; the text after the prefix is the real error returned by the last server it tried. With 4.4.7 it is the last error seen before the message expired.',
    fixOwner: 'recipient admin',
    fix: 'Read the error and the last endpoint named after the prefix: they show which server refused and why. Pass both to whoever runs that server, or include them in a support case.',
    learnMoreUrl: SRC.N4,
  },
  {
    code: '4.4.0',
    exact: ['4.4.0'],
    whenText: /NonExistentDomain/i,
    documentedText: '451 4.4.0 DNS query failed. The error was: SMTPSEND.DNS.NonExistentDomain; nonexistent domain',
    meaning: 'The DNS lookup for the recipient\'s domain found that the domain does not exist, so there is no server to deliver to.',
    fixOwner: 'sender',
    fix: 'Check the spelling of the domain after the @. If it is right, the domain\'s owner has to restore its DNS and MX records.',
    retryHelps: false,
    learnMoreUrl: SRC.DNS_NONEXISTENT,
    caveat: ON_PREMISES,
  },
  {
    code: '4.4.8 / 5.4.8',
    exact: ['4.4.8', '5.4.8'],
    documentedText: 'MX hosts of <domain> failed MTA-STS validation',
    meaning:
      'The destination domain publishes an MTA-STS policy, and the MX host Exchange Online found is not listed in it, so the service will not hand the message over.',
    fixOwner: 'recipient admin',
    fix: 'The destination\'s admin updates the domain\'s MTA-STS policy so it matches the MX hosts it really uses.',
    learnMoreUrl: SRC.N1,
  },
  {
    code: '4.5.3',
    exact: ['4.5.3'],
    documentedText: 'Too many recipients',
    meaning: 'One message carried more than 200 envelope recipients for a single domain, which is more than is accepted at once.',
    fixOwner: 'sender admin',
    fix: 'Set the sending application or server to split large sends into batches of at most 200 recipients.',
    learnMoreUrl: SRC.N1,
  },
  {
    code: '4.7.5 / 5.7.5',
    exact: ['4.7.5', '5.7.5'],
    documentedText: 'Remote certificate failed MTA-STS validation. Reason: <validityStatus>',
    meaning:
      'The destination server\'s TLS certificate failed the domain\'s MTA-STS check: the certificate is untrusted, or its name differs from the host in the policy. The reason follows in the error text.',
    fixOwner: 'recipient admin',
    fix: 'The destination\'s admin installs a trusted certificate whose name matches the MX hosts in the MTA-STS policy.',
    learnMoreUrl: SRC.N1,
  },
  {
    code: '4.7.26',
    exact: ['4.7.26'],
    documentedText: 'Access denied, a message sent over IPv6 [..] must pass either SPF or DKIM validation, this message is not signed',
    meaning: 'The message came in over IPv6 and passed neither SPF nor DKIM; Exchange Online requires one of the two for IPv6 senders.',
    fixOwner: 'sender admin',
    fix: 'The sender\'s admin publishes an SPF record that covers the IPv6 sending addresses, or signs outgoing mail with DKIM.',
    learnMoreUrl: SRC.N1,
  },
  {
    code: '4.7.321-325 (and 5.7.321-325)',
    ranges: [{ classes: [4, 5], subject: 7, from: 321, to: 325 }],
    documentedText: 'starttls-not-supported / certificate-expired / tlsa-invalid / dnssec-invalid / certificate-host-mismatch',
    meaning:
      'The destination domain uses DANE, and the secure-connection check failed: no STARTTLS, an expired or mismatched certificate, an invalid TLSA record, or broken DNSSEC.',
    fixOwner: 'recipient admin',
    fix: 'The destination\'s admin fixes what the error names: TLS support on the server, the certificate, or the TLSA/DNSSEC records.',
    learnMoreUrl: SRC.N1,
  },
  {
    code: '4.7.500-699',
    ranges: [{ classes: [4], subject: 7, from: 500, to: 699 }],
    documentedText: 'Access denied, please try again later (451 … ASxxx)',
    meaning:
      'Exchange Online is throttling mail from this sending IP (graylisting), because the IP suddenly sends far more than its history shows.',
    fixOwner: 'sender admin',
    fix: 'If the mail is relayed from your own on-premises server, or reaches Microsoft 365 through a third-party service, create the connector for it. Otherwise wait: the throttling eases over a few days as the IP builds a sending history, and send no more than tests from an onmicrosoft.com domain.',
    learnMoreUrl: SRC.N7,
  },
  {
    code: '4.7.850-899',
    ranges: [{ classes: [4], subject: 7, from: 850, to: 899 }],
    documentedText: 'Access denied, please try again later',
    meaning: 'Exchange Online saw suspicious activity from the sending IP and is restricting its mail while it evaluates it.',
    fixOwner: 'nobody (retried automatically)',
    fix: 'Usually nothing to do: the restriction is lifted shortly when the traffic is legitimate. If it persists, the sender\'s admin checks what is sending from that IP.',
    learnMoreUrl: SRC.N1,
  },

  // ── class 5: permanent ────────────────────────────────────────────────────────────────────────
  {
    code: '5.0.350',
    exact: ['5.0.350'],
    whenText: /x-dg-ref/i,
    caseName: 'x-dg-ref header too long',
    tellApart: DG_REF_TELL_APART,
    documentedText: 'x-dg-ref header is too long',
    meaning: 'The message was sent in Rich Text (TNEF), and an attached message made one header line longer than the recipient\'s server accepts.',
    fixOwner: 'sender',
    fix: 'Resend the message in HTML format instead of Rich Text. Admins can set the TNEF format per remote domain or mail contact.',
    learnMoreUrl: SRC.N13_5_0_350,
  },
  {
    code: '5.0.350',
    exact: ['5.0.350'],
    whenText: /AS345/,
    caseName: 'nested attachments (AS345)',
    tellApart: DG_REF_TELL_APART,
    documentedText: 'Requested action not taken: policy violation detected (AS345)',
    meaning: 'The recipient\'s filter refused the message because an attachment held 20 or more embedded files.',
    fixOwner: 'sender',
    fix: 'Remove some of the embedded files from the attachment and resend.',
    learnMoreUrl: SRC.N13_5_0_350,
  },
  {
    code: '5.0.350',
    exact: ['5.0.350'],
    caseName: 'generic',
    tellApart: DG_REF_TELL_APART,
    documentedText: '(generic)',
    meaning: 'A catch-all code that wraps an error from the recipient\'s organization; the rest of the error text gives the real reason.',
    fixOwner: 'recipient admin',
    fix: 'Read the original error in the text. Unless it points at the message itself, only the recipient\'s mail system can fix it.',
    learnMoreUrl: SRC.N13_5_0_350,
  },
  {
    code: '5.1.0',
    exact: ['5.1.0'],
    whenText: /SPF/i,
    caseName: 'SPF permanent error',
    tellApart: SPF_510_TELL_APART,
    documentedText: 'Recipient address rejected: SPF Permanent Error',
    meaning: 'The recipient\'s side refused the message because the sending domain\'s SPF record has a permanent error.',
    fixOwner: 'sender admin',
    fix: 'The sender\'s admin corrects the domain\'s SPF record so it validates and lists every source of the domain\'s mail, then the message can be resent.',
    learnMoreUrl: SRC.N13_5_1_0,
  },
  {
    code: '5.1.0',
    exact: ['5.1.0'],
    caseName: 'sender denied',
    tellApart: SPF_510_TELL_APART,
    documentedText: 'Sender denied / Address Rejected',
    meaning:
      'The recipient\'s side refused this sender or this recipient address. Common causes: the recipient blocks the sender, or Outlook\'s Auto-Complete offered an outdated internal address (legacyExchangeDN) for the recipient.',
    fixOwner: 'sender',
    fix: 'Delete the recipient\'s Auto-Complete entry, type the address again and resend. If it still fails, ask the recipient whether they block you.',
    learnMoreUrl: SRC.N13_5_1_0,
  },
  {
    code: '5.1.1',
    exact: ['5.1.1'],
    documentedText: 'Bad destination mailbox address (RESOLVER.ADR.RecipNotFound; not found)',
    meaning:
      'The recipient address does not exist at the destination: a typo, a user who left, an outdated address cached by Outlook, or a forwarding rule that points at an old address.',
    fixOwner: 'sender',
    fix: 'Check the spelling, delete the Auto-Complete entry and resend. If the address is right, the recipient\'s admin checks forwarding rules and the domain\'s MX records.',
    learnMoreUrl: SRC.N3,
  },
  {
    code: '5.1.1-20',
    ranges: [{ classes: [5], subject: 1, from: 1, to: 20 }],
    meaning: 'The destination could not match the recipient address to anyone (an addressing error in the 5.1.1–5.1.20 family).',
    fixOwner: 'sender',
    fix: 'Check the address and resend. If it is right, the recipient\'s admin checks that the recipient exists and that forwarding and MX records are correct.',
    learnMoreUrl: SRC.N3,
  },
  {
    code: '5.1.8',
    exact: ['5.1.8'],
    documentedText: 'Access denied, bad outbound sender',
    meaning: 'The sending account is blocked from sending because it sent spam over the sending limits, which usually means it was compromised.',
    fixOwner: 'sender admin',
    fix: 'Secure the account first (for example reset its password), then unblock it on the Restricted entities page of the Microsoft Defender portal (security.microsoft.com/restrictedusers). The restrictions are usually gone within an hour.',
    learnMoreUrl: SRC.N6,
  },
  {
    code: '5.1.10',
    exact: ['5.1.10'],
    documentedText: 'Recipient not found (RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup)',
    meaning:
      'The recipient\'s address was not found by SMTP address lookup at the recipient\'s organization. It also appears as backscatter when a spammer forged your address as the sender.',
    fixOwner: 'sender',
    fix: 'Check the address. If it is right, the recipient\'s admin confirms the user exists and is licensed, removes broken forwarding, checks whether the domain should be Authoritative or Internal Relay, and checks directory sync and that there is a single MX record.',
    learnMoreUrl: SRC.N2,
  },
  {
    code: '5.1.20',
    exact: ['5.1.20'],
    documentedText: 'Multiple From addresses are not allowed without Sender address',
    meaning: 'The message listed several From addresses but no Sender address, which is not allowed.',
    fixOwner: 'sender',
    fix: 'Send with a single From address, or add one Sender address when several From addresses are really needed. If an application builds the message, its admin changes how it sets these headers.',
    learnMoreUrl: SRC.N_5_1_20,
  },
  {
    code: '5.1.90',
    exact: ['5.1.90'],
    documentedText: "Your message can't be sent because you've reached your daily limit for message recipients",
    meaning: 'The sender reached the daily limit on the number of recipients. An unexpected hit can mean the account is compromised.',
    fixOwner: 'sender',
    fix: 'Wait until the daily limit resets, then send again. The sender\'s admin checks the account for signs of compromise.',
    retryHelps: true,
    learnMoreUrl: SRC.N1,
  },
  {
    code: '5.2.1',
    exact: ['5.2.1'],
    whenText: /transport rules agent/i,
    documentedText: '550 5.2.1 Message deleted by the transport rules agent',
    meaning: 'A mail flow (transport) rule deleted the message.',
    fixOwner: 'recipient admin',
    fix: 'The admin of the organization that owns the rule finds which rule matched and changes it or adds an exception if the message should pass.',
    learnMoreUrl: SRC.Q6,
    caveat: ON_PREMISES,
  },
  {
    code: '5.2.2',
    exact: ['5.2.2'],
    whenText: /mailbox[^;]{0,40}full|over quota|insufficient storage/i,
    caseName: 'mailbox full (other mail systems)',
    documentedText: 'mailbox full (other mail systems)',
    meaning: 'The recipient\'s mailbox is full, as some other mail systems report with this code.',
    fixOwner: 'recipient',
    fix: 'The recipient frees space or their admin raises the mailbox quota; then resend.',
    learnMoreUrl: SRC.R1,
    caveat: 'Inferred from RFC 3463 (X.2.2 = mailbox full); Exchange Online itself uses 5.2.2 for its sending limit.',
  },
  {
    code: '5.2.2',
    exact: ['5.2.2'],
    documentedText: 'Submission quota exceeded',
    meaning:
      'The sender went over the recipient rate limit or the message rate limit. An unexpected hit can mean the account is compromised.',
    fixOwner: 'sender',
    fix: 'Wait for the limit to reset (up to a day) and send again. The sender\'s admin checks the account for signs of compromise.',
    retryHelps: true,
    learnMoreUrl: SRC.N1,
  },
  {
    code: '5.2.121',
    exact: ['5.2.121'],
    documentedText: "Recipient's per hour message receive limit from specific sender exceeded",
    meaning: 'This recipient got too many messages from this one sender within an hour, so more are refused for now.',
    fixOwner: 'sender',
    fix: 'Send to this recipient less often (batch automated mail) and resend after the hour has passed.',
    retryHelps: true,
    learnMoreUrl: SRC.N1,
  },
  {
    code: '5.2.122',
    exact: ['5.2.122'],
    documentedText: "Recipient's per hour message receive limit exceeded",
    meaning: 'The recipient has received more messages this hour, from all senders together, than it is allowed to.',
    fixOwner: 'sender',
    fix: 'Resend later, once the hour has passed.',
    retryHelps: true,
    learnMoreUrl: SRC.N1,
  },
  {
    code: '5.3.190',
    exact: ['5.3.190'],
    documentedText: 'Journaling on-premises messages to Microsoft 365 or Office 365 not supported when Journaling Archive is disabled',
    meaning: 'An on-premises journal rule sends journal reports to Exchange Online, which refuses them while Journaling Archive is turned off.',
    fixOwner: 'sender admin',
    fix: 'Turn on Journaling Archive for the tenant, or point the on-premises journal rule at a different journal mailbox.',
    learnMoreUrl: SRC.N1,
  },
  {
    code: '5.4.1',
    exact: ['5.4.1'],
    whenText: /Recipient address rejected: Access denied/i,
    caseName: 'edge blocking',
    tellApart: EDGE_TELL_APART,
    documentedText: 'Recipient address rejected: Access denied',
    meaning:
      'Directory-Based Edge Blocking in Exchange Online refused the message because the recipient address is not in the recipient organization\'s directory.',
    fixOwner: 'recipient admin',
    fix: 'The recipient organization\'s admin first confirms the address is spelled right. If the whole domain is affected, switch its accepted domain to Internal relay and back to Authoritative to resync it; for one hybrid recipient, reset its SMTP proxy address (allow 24 hours), sync an on-premises public folder to Exchange Online, or add a mail contact for an on-premises dynamic group.',
    learnMoreUrl: SRC.N11_EDGE,
  },
  {
    code: '5.4.1',
    exact: ['5.4.1'],
    caseName: 'relay access denied',
    tellApart: EDGE_TELL_APART,
    documentedText: 'Relay Access Denied',
    meaning:
      'The server that refused the message does not accept mail for the recipient\'s domain. Usual causes: MX records pointing elsewhere, DNS changes not yet spread, an inactive domain or broken hybrid connectors (occasionally a service incident).',
    fixOwner: 'recipient admin',
    fix: 'The domain\'s admin keeps a single MX record pointing at <domain>.mail.protection.outlook.com, checks the domain is active and its accepted-domain type, allows up to 72 hours for DNS changes, and reruns the Hybrid Configuration Wizard in a hybrid setup.',
    learnMoreUrl: SRC.N11,
  },
  {
    code: '5.4.6 / 5.4.14',
    exact: ['5.4.6', '5.4.14'],
    documentedText: 'Routing loop detected / Hop count exceeded - possible mail loop',
    meaning:
      'A mail loop: the message went round between servers until the hop limit stopped it (about 20 passes). Typical causes: an accepted domain of the wrong type, a hybrid connector that looks up DNS instead of using a smart host, or forwarding rules that feed each other.',
    fixOwner: 'recipient admin',
    fix: 'The admin of the looping domain sets it to Authoritative when all its mailboxes are in Exchange Online, gives hybrid mail a dedicated connector with a smart host, checks RouteAllMessagesViaOnPremises, and removes circular forwarding.',
    learnMoreUrl: SRC.N12,
  },
  {
    code: '5.4.6-20',
    ranges: [{ classes: [5], subject: 4, from: 6, to: 20 }],
    meaning: 'A routing failure in the 5.4.6–5.4.20 family, which Microsoft documents together with mail loops.',
    fixOwner: 'recipient admin',
    fix: 'The admin of the destination domain checks the accepted domain type, the hybrid connectors (smart host rather than DNS) and any forwarding that could loop.',
    learnMoreUrl: SRC.N12,
  },
  {
    code: '5.4.300',
    exact: ['5.4.300'],
    documentedText: 'Message expired',
    meaning: 'The message expired in the queue: the destination never answered, or the NDR for an earlier failure could not be delivered either.',
    fixOwner: 'recipient admin',
    fix: 'As for 4.4.7: the destination\'s admin makes their server reachable, and the sender\'s admin checks MX, SPF and connectors; then resend.',
    learnMoreUrl: SRC.N1,
  },
  {
    code: '5.4.310',
    exact: ['5.4.310'],
    documentedText: '550 5.4.310 DNS domain <domain> does not exist',
    meaning: 'The recipient\'s domain does not exist in DNS, usually because it is misspelt or has expired.',
    fixOwner: 'sender',
    fix: 'Check the spelling of the domain after the @ and resend. If it is right, the domain\'s owner has to restore its DNS and MX records.',
    learnMoreUrl: SRC.R1,
    caveat: NO_PAGE,
  },
  {
    code: '5.4.312',
    exact: ['5.4.312'],
    meaning: 'The DNS lookup for the recipient\'s domain kept failing until the message expired, so no destination server could be found (the final form of 4.4.312).',
    fixOwner: 'recipient admin',
    fix: 'Check the domain spelling first. If it is right, the domain\'s admin fixes its DNS so the MX records resolve.',
    learnMoreUrl: SRC.MFI,
    caveat: `${NO_PAGE} Microsoft documents the retrying form, 4.4.312, on the mail flow intelligence page cited here.`,
  },
  {
    code: '5.4.316',
    exact: ['5.4.316'],
    meaning: 'The destination server kept refusing connections until the message expired (the final form of 4.4.316).',
    fixOwner: 'recipient admin',
    fix: 'The destination\'s admin lets Exchange Online connect (port 25 open to Microsoft 365, or the connector to a retired server turned off); then resend.',
    learnMoreUrl: SRC.MFI,
    caveat: `${NO_PAGE} Microsoft documents the retrying form, 4.4.316, on the mail flow intelligence page cited here.`,
  },
  {
    code: '5.5.0',
    exact: ['5.5.0'],
    documentedText: '550 5.5.0 Requested action not taken: mailbox unavailable',
    meaning: 'An Outlook.com or Hotmail address was not found: there is no such mailbox.',
    fixOwner: 'sender',
    fix: 'Check the address with the recipient and resend.',
    learnMoreUrl: SRC.N1,
  },
  {
    code: '5.6.11',
    exact: ['5.6.11'],
    documentedText: 'Invalid characters',
    meaning:
      'The message contains bare line feeds (line breaks without a carriage return) and the destination server does not support BDAT/CHUNKING, so it cannot be sent in a form that server accepts.',
    fixOwner: 'recipient admin',
    fix: 'The destination\'s admin stops rejecting bare line feeds (BareLinefeedRejectionEnabled $false) or moves to a server that supports BDAT. Meanwhile the sender can try another email program, or send without the attachment.',
    learnMoreUrl: SRC.N13_5_6_11,
  },
  {
    code: '5.7.1',
    exact: ['5.7.1'],
    whenText: /TRANSPORT\.RULES|rejected by organization policy|refused by Transport Rules/i,
    caseName: 'mail flow rule',
    documentedText: 'TRANSPORT.RULES.RejectMessage; the message was rejected by organization policy',
    meaning: 'A mail flow (transport) rule rejected the message.',
    fixOwner: 'recipient admin',
    fix: 'Find the rule that matched (the Transport rule event or the rule ID in the trace) and change it or add an exception if the block was not intended.',
    learnMoreUrl: SRC.N5,
  },
  {
    code: '5.7.1',
    exact: ['5.7.1'],
    whenText: /Blocked by Customer Allow ?list/i,
    caseName: 'blocked by customer allow list',
    tellApart: RELAY_TELL_APART,
    documentedText: '5.7.1 Unable To Relay: Blocked by Customer Allow list',
    meaning:
      'The sending server\'s IP is on a real-time blocklist, and because the receiving tenant also put that IP in both an inbound connector and its IP Allow list, the NDR hides which blocklist.',
    fixOwner: 'recipient admin',
    fix: 'The receiving tenant\'s admin removes the IP from the connection filter\'s IP Allow list (connectors should list only on-premises IPs); the next NDR then names the blocklist to delist from.',
    learnMoreUrl: SRC.N_5_7_1_ALLOW_LIST,
  },
  { ...NO_RELAY_PERMISSION, whenText: /Unable to relay[\s\S]*(?:authenticat|permission|permitted)|(?:authenticat|permission|permitted)[\s\S]*Unable to relay/i },
  {
    code: '5.7.1',
    exact: ['5.7.1'],
    whenText: /Unable to relay/i,
    whenRemote: true,
    caseName: 'wrong MX',
    tellApart: RELAY_TELL_APART,
    documentedText: 'Unable to relay',
    meaning:
      'The recipient domain\'s mail server refused to relay because it does not accept mail for that domain, so the domain\'s MX record points at the wrong system. (A forged sender can produce the same bounce as backscatter.)',
    fixOwner: 'recipient admin',
    fix: 'The admin responsible for the recipient\'s domain corrects its MX record, or configures the receiving system to accept mail for the domain.',
    learnMoreUrl: SRC.N1,
  },
  { ...NO_RELAY_PERMISSION, whenText: /Unable to relay/i },
  {
    code: '5.7.1',
    exact: ['5.7.1'],
    whenText: /Client was not authenticated/i,
    whenRemote: true,
    caseName: 'recipient server requires authentication',
    tellApart: AUTH_TELL_APART,
    documentedText: 'Client was not authenticated',
    meaning:
      'The recipient\'s mail server refused anonymous mail: it wants senders to authenticate, which servers delivering from the internet never do.',
    fixOwner: 'recipient admin',
    fix: 'The recipient\'s admins configure their internet-facing server to accept anonymous mail.',
    learnMoreUrl: SRC.N1,
  },
  {
    code: '5.7.1',
    exact: ['5.7.1'],
    whenText: /Client was not authenticated/i,
    caseName: 'sending system not authenticated',
    tellApart: AUTH_TELL_APART,
    documentedText: 'Client was not authenticated',
    meaning: 'The receiving system requires authentication before it accepts a message, and the sending system did not authenticate.',
    fixOwner: 'sender admin',
    fix: 'The sending system\'s admin configures it to authenticate with the receiving system.',
    learnMoreUrl: SRC.N1,
  },
  {
    code: '5.7.1',
    exact: ['5.7.1'],
    whenText: /RESOLVER\.RST\.AuthRequired/i,
    caseName: 'public folder requires authentication',
    documentedText: 'RESOLVER.RST.AuthRequired; authentication required [Stage: CreateMessage]',
    meaning: 'An outside sender wrote to a mail-enabled public folder that only accepts authenticated (internal) senders.',
    fixOwner: 'recipient admin',
    fix: 'If outside mail is wanted, the recipient\'s admin clears "Require that all senders are authenticated" on the public folder and allows all senders.',
    learnMoreUrl: SRC.N5,
  },
  {
    code: '5.7.1',
    exact: ['5.7.1'],
    whenText: /blocked using Blocklist/i,
    caseName: 'Microsoft blocklist',
    documentedText: 'Service unavailable; Client host [x.x.x.x] blocked using Blocklist 1',
    meaning: 'The sending server\'s IP address is on Microsoft\'s blocklist.',
    fixOwner: 'sender admin',
    fix: 'Make sure the IP no longer sends spam, then forward the NDR to delist@microsoft.com or use Microsoft\'s delist portal.',
    learnMoreUrl: SRC.N5,
  },
  {
    code: '5.7.1',
    exact: ['5.7.1'],
    caseName: 'delivery not authorized',
    documentedText: 'Delivery not authorized',
    meaning:
      'The sender is not allowed to send to this recipient: usually a distribution group that accepts only members or certain senders (groups over 5,000 members also need a moderator\'s approval).',
    fixOwner: 'group owner',
    fix: 'The group\'s owner adds the sender to the allowed senders (a mail contact for an outsider) or approves the message; the sender can also join the group. If a mail flow rule rejected it, the recipient\'s admin adjusts the rule.',
    learnMoreUrl: SRC.N5,
  },
  {
    code: '5.7.12',
    exact: ['5.7.12'],
    documentedText: 'Sender was not authenticated by organization',
    meaning: 'The recipient only accepts mail from senders inside its own organization, and this sender is outside it.',
    fixOwner: 'recipient admin',
    fix: 'If outside mail is wanted, the recipient\'s admin turns off "Require senders to be authenticated", or allows this sender (added as a mail contact).',
    learnMoreUrl: SRC.N9_5_7_12,
  },
  {
    code: '5.7.13 / 5.7.135',
    exact: ['5.7.13', '5.7.135'],
    documentedText: 'Sender was not authenticated for public folder',
    meaning: 'A public folder refuses mail from senders outside the organization.',
    fixOwner: 'recipient admin',
    fix: 'The recipient\'s admin lifts the authentication requirement on the public folder, or adds the sender (as a mail contact) to its allowed senders.',
    learnMoreUrl: SRC.N9_5_7_13,
  },
  {
    code: '5.7.23',
    exact: ['5.7.23'],
    documentedText: 'The message was rejected because of Sender Policy Framework violation',
    meaning:
      'The destination refused the message because it failed SPF for the sending domain. Causes: an incomplete SPF record, sending from domains the tenant has not added (such mail is limited), or outbound spam sent through the High Risk Delivery Pool, which never passes SPF.',
    fixOwner: 'sender admin',
    fix: 'The sender\'s admin checks the SPF record, adds every sending domain to the tenant, and lists on-premises IP addresses in SPF. If the message went out through the High Risk Delivery Pool as spam by mistake, contact Microsoft support.',
    learnMoreUrl: SRC.N10_5_7_23,
  },
  {
    code: '4.7.23 (remote)',
    exact: ['4.7.23'],
    documentedText: '451 4.7.23 Message deferred - unable to verify SPF policy',
    meaning: 'The remote server could not check the sending domain\'s SPF record for now, so it deferred the message.',
    fixOwner: 'sender admin',
    fix: 'The sender\'s admin confirms the SPF record resolves and is valid; if it is, ask the remote provider why their lookup fails.',
    learnMoreUrl: SRC.Q2,
    caveat: ONE_SAMPLE,
  },
  {
    code: '5.7.25',
    exact: ['5.7.25'],
    documentedText: 'Access denied, the sending IPv6 address [..] must have a reverse DNS record',
    meaning: 'The sending IPv6 address has no reverse DNS (PTR) record, which Exchange Online requires for IPv6 senders.',
    fixOwner: 'sender admin',
    fix: 'Publish a PTR record for the sending IPv6 address.',
    learnMoreUrl: SRC.N1,
  },
  {
    code: '5.7.57',
    exact: ['5.7.57'],
    documentedText: 'Client was not authenticated to send anonymous mail during MAIL FROM',
    meaning: 'An app or device sending through smtp.office365.com did not sign in correctly or did not use TLS.',
    fixOwner: 'sender admin',
    fix: 'Correct the device\'s or app\'s credentials and turn on TLS for its connection.',
    learnMoreUrl: SRC.N10_5_7_57,
  },
  {
    code: '5.7.64',
    exact: ['5.7.64'],
    documentedText: 'TenantAttribution; Relay Access Denied',
    meaning:
      'Mail from the on-premises servers no longer matches the inbound connector (its certificate name or IP address changed), so Exchange Online treats it as an unauthorised relay.',
    fixOwner: 'sender admin',
    fix: 'Update the inbound connector to the on-premises servers\' current certificate name or IP addresses (in hybrid, rerun the Hybrid Configuration Wizard).',
    learnMoreUrl: SRC.N10_5_7_64,
  },
  {
    code: '5.7.124',
    exact: ['5.7.124'],
    documentedText: 'Sender not in allowed-senders list',
    meaning:
      'The sender is not on the group\'s allowed senders list, and the group accepts mail only from those. Groups with more than 5,000 members get this restriction automatically.',
    fixOwner: 'group owner',
    fix: 'The group owner (or the recipient\'s admin) adds the sender to the allowed senders, or the sender joins the group.',
    learnMoreUrl: SRC.N9_5_7_124,
  },
  {
    code: '5.7.129',
    exact: ['5.7.129'],
    documentedText: "RESOLVER.RST.RestrictedToRecipientsPermission (\"you don't have permission to send to it\")",
    meaning:
      'The sender has no permission to send to this recipient, which accepts mail only from permitted senders. In a hybrid setup this is what an Exchange Online mailbox answers once its on-premises account has been disabled.',
    fixOwner: 'recipient admin',
    fix: 'The recipient\'s admin adds the sender to the recipient\'s accept list if the mail is wanted. To stop a leaver\'s mail, delete the on-premises account instead of disabling it (or remove the licence and block with a mail flow rule).',
    learnMoreUrl: SRC.N5,
  },
  {
    code: '5.7.133',
    exact: ['5.7.133'],
    documentedText: 'Sender not authenticated for group',
    meaning: 'The group does not accept mail from outside the organization.',
    fixOwner: 'group owner',
    fix: 'The group owner (or the recipient\'s admin) allows external senders, or adds this sender to the allowed senders.',
    learnMoreUrl: SRC.N9_5_7_133,
  },
  {
    code: '5.7.134',
    exact: ['5.7.134'],
    documentedText: 'Sender was not authenticated for mailbox',
    meaning: 'The recipient\'s mailbox does not accept mail from outside the organization.',
    fixOwner: 'recipient admin',
    fix: 'The recipient\'s admin lets external senders reach the mailbox, or adds this sender to its allowed senders.',
    learnMoreUrl: SRC.N9_5_7_134,
  },
  {
    code: '5.7.136',
    exact: ['5.7.136'],
    documentedText: 'Sender was not authenticated',
    meaning: 'A mail user does not accept mail from outside senders (a setting reachable only in the classic EAC).',
    fixOwner: 'recipient admin',
    fix: 'The recipient\'s admin lets external senders reach the mail user, or adds this sender to its allowed senders.',
    learnMoreUrl: SRC.N9_5_7_136,
  },
  {
    code: '5.7.193',
    exact: ['5.7.193'],
    documentedText: "UnifiedGroupAgent; Delivery failed because the sender isn't a group member or external senders aren't permitted to send to this group.",
    meaning: 'The recipient is a Microsoft 365 group that does not accept mail from outside the organization.',
    fixOwner: 'group owner',
    fix: 'The group owner turns on letting people outside the organization email the group (in Outlook), or an admin sets it in the Exchange admin center or with Set-UnifiedGroup -RequireSenderAuthenticationEnabled $false. The change can take an hour.',
    learnMoreUrl: SRC.N_5_7_193,
  },
  {
    code: '5.7.367',
    exact: ['5.7.367'],
    documentedText: '550 5.7.367 Remote server returned not permitted to relay',
    meaning:
      'A message your tenant forwarded or relayed failed SPF or DKIM when it came in, so it left from Microsoft 365\'s relay pool, and the downstream gateway refused to relay it.',
    fixOwner: 'sender admin',
    fix: 'The forwarding tenant\'s admin turns on Enhanced Filtering for Connectors when the MX points at another service, adds domains it controls as accepted domains, and avoids chains of forwarding.',
    learnMoreUrl: SRC.N_5_7_367,
  },
  {
    code: '5.7.501',
    exact: ['5.7.501'],
    documentedText: 'Access denied, spam abuse detected',
    meaning: 'The sending account is banned because it sent spam.',
    fixOwner: 'sender admin',
    fix: 'Stop the spam, reset the account\'s credentials, and contact Microsoft support to lift the ban.',
    learnMoreUrl: SRC.N1,
  },
  {
    code: '5.7.502 / 5.7.503',
    exact: ['5.7.502', '5.7.503'],
    documentedText: 'Access denied, banned sender',
    meaning: 'The sending account is banned for sending spam.',
    fixOwner: 'sender admin',
    fix: 'Stop the spam, reset the account\'s credentials, and contact Microsoft support to lift the ban.',
    learnMoreUrl: SRC.N1,
  },
  {
    code: '5.7.504',
    exact: ['5.7.504'],
    documentedText: 'Recipient address rejected: Access denied',
    meaning: 'The recipient address was refused as invalid.',
    fixOwner: 'sender',
    fix: 'Check and correct the recipient address, then resend.',
    learnMoreUrl: SRC.N1,
  },
  {
    code: '5.7.505',
    exact: ['5.7.505'],
    documentedText: 'Access denied, banned recipient',
    meaning: 'The recipient address is invalid or banned.',
    fixOwner: 'sender',
    fix: 'Check the address. If it is correct and should receive mail, contact Microsoft support.',
    learnMoreUrl: SRC.N1,
  },
  {
    code: '5.7.506',
    exact: ['5.7.506'],
    documentedText: 'Access Denied, Bad HELO',
    meaning: 'The sending server introduced itself (HELO/EHLO) with the receiving server\'s own name, which looks like spoofing.',
    fixOwner: 'sender admin',
    fix: 'Configure the sending server to use its own fully qualified domain name in HELO/EHLO.',
    learnMoreUrl: SRC.N1,
  },
  {
    code: '5.7.507',
    exact: ['5.7.507'],
    documentedText: 'Access denied, rejected by recipient',
    meaning: 'The recipient\'s organization blocks the sending IP address.',
    fixOwner: 'recipient admin',
    fix: 'The sender asks the recipient to have their admin lift the block on the sending IP.',
    learnMoreUrl: SRC.N1,
  },
  {
    code: '5.7.508',
    exact: ['5.7.508'],
    documentedText: 'Access denied, [$SenderIPAddress] has exceeded permitted limits within $range range',
    meaning: 'The sending IPv6 range sent more mail than it is allowed to.',
    fixOwner: 'sender admin',
    fix: 'Reduce the volume sent from that IPv6 range and resend later.',
    retryHelps: true,
    learnMoreUrl: SRC.N1,
  },
  {
    code: '5.7.509',
    exact: ['5.7.509'],
    documentedText: 'Access denied, sending domain [$SenderDomain] does not pass DMARC verification and has a DMARC policy of reject.',
    meaning:
      'The From domain failed DMARC and its DMARC policy says reject, so the message was refused. Common causes: missing or misaligned SPF or DKIM, no DKIM signing, or forwarding.',
    fixOwner: 'sender admin',
    fix: 'The sender\'s admin makes SPF and DKIM pass and align with the From domain, then the message can be resent.',
    learnMoreUrl: SRC.N1,
  },
  {
    code: '5.7.510',
    exact: ['5.7.510'],
    documentedText: 'Access denied, [contoso.com] does not accept email over IPv6',
    meaning: 'The recipient\'s domain does not take mail over IPv6.',
    fixOwner: 'sender admin',
    fix: 'Send to this domain over IPv4.',
    learnMoreUrl: SRC.N1,
  },
  {
    code: '5.7.511',
    exact: ['5.7.511'],
    documentedText: 'Access denied, banned sender',
    meaning: 'The sending IP address is banned.',
    fixOwner: 'sender admin',
    fix: 'Email delist@microsoft.com with the NDR and the IP address to ask for removal.',
    learnMoreUrl: SRC.N1,
  },
  {
    code: '5.7.512',
    exact: ['5.7.512'],
    documentedText: 'Access denied, message must be RFC 5322 section 3.6.2 compliant',
    meaning: 'The message has no valid From header.',
    fixOwner: 'sender admin',
    fix: 'Fix the sending application so every message carries one valid From address.',
    learnMoreUrl: SRC.N1,
  },
  {
    code: '5.7.513',
    exact: ['5.7.513'],
    documentedText: 'Service unavailable, Client host [$ConnectingIP] blocked by $recipientDomain using Customer Block list (AS16012607)',
    meaning: 'The recipient\'s organization put the sending IP address on its own block list.',
    fixOwner: 'recipient admin',
    fix: 'Ask the recipient\'s admin to take the IP off their block list.',
    learnMoreUrl: SRC.N1,
  },
  {
    code: '5.7.515',
    exact: ['5.7.515'],
    documentedText: 'Access denied, sending domain <domain> does not meet the required authentication level.',
    meaning:
      'Outlook.com refused mail from a high-volume sending domain (5,000+ messages from the same From domain) that does not meet its bar: SPF and DKIM must pass, a DMARC record must exist, and they must align.',
    fixOwner: 'sender admin',
    fix: 'Publish SPF, DKIM and a DMARC record (p=none at least) and make them align with the From domain.',
    learnMoreUrl: SRC.N14,
  },
  {
    code: '5.7.520',
    exact: ['5.7.520'],
    documentedText: 'Access denied, Your organization does not allow external forwarding. … AS(7555)',
    meaning: 'Automatic forwarding to an outside address was blocked by the outbound spam policy.',
    fixOwner: 'sender admin',
    fix: 'If this forwarding is wanted, create a custom outbound spam policy that permits automatic external forwarding and apply it to this user. A remote domain setting or mail flow rule that blocks forwarding still wins, so check those too.',
    learnMoreUrl: SRC.N15,
  },
  {
    code: '5.7.606-649',
    ranges: [{ classes: [5], subject: 7, from: 606, to: 649 }],
    documentedText: 'Access denied, banned sending IP [IP1.IP2.IP3.IP4]',
    meaning: 'The sending IP address is banned.',
    fixOwner: 'sender admin',
    fix: 'Make sure the IP no longer sends spam, then request removal through the self-service delist portal.',
    learnMoreUrl: SRC.N1,
  },
  {
    code: '5.7.703',
    exact: ['5.7.703'],
    documentedText: "Your message can't be delivered because messages to <recipients> are blocked by your organization using Tenant Allow Block List.",
    meaning:
      'At least one recipient address or domain is blocked in your own Tenant Allow/Block List, and that stops the whole message for every recipient.',
    fixOwner: 'sender admin',
    fix: 'An admin of your organization removes or changes the block entry if the recipient should be reachable; then resend.',
    learnMoreUrl: SRC.N8_CODES,
  },
  {
    code: '5.7.705',
    exact: ['5.7.705'],
    documentedText: 'Access denied, tenant has exceeded threshold',
    meaning:
      'Outbound mail from your tenant is blocked because it sent too much spam or bulk mail (typically a compromised on-premises server or a compromised admin account used to create connectors). Renewing an expired subscription can cause it too, usually for under a day.',
    fixOwner: 'sender admin',
    fix: 'Find and fix the cause (secure compromised accounts, remove rogue connectors), then contact Microsoft Support to have the block removed.',
    learnMoreUrl: SRC.N8_CODES,
  },
  {
    code: '5.7.708',
    exact: ['5.7.708'],
    documentedText: 'Access denied, traffic not accepted from this IP',
    meaning: 'Mail from this IP address is refused because its reputation is low, which is common for new or trial tenants.',
    fixOwner: 'sender admin',
    fix: 'Contact Microsoft Support and ask for an IP exception until Exchange Online licences are assigned.',
    learnMoreUrl: SRC.N8_CODES,
  },
  {
    code: '5.7.750',
    exact: ['5.7.750'],
    documentedText: 'Client blocked from sending from unregistered domain',
    meaning: 'Your tenant sent a large volume from domains it has not added and validated as accepted domains (less often: misconfigured connectors).',
    fixOwner: 'sender admin',
    fix: 'Add and validate every domain you send from, or use a certificate-based outbound connector, and look for unusual connectors and compromised accounts (attackers create inbound connectors to send spam). After fixing the cause, contact Microsoft Support to have the block removed.',
    learnMoreUrl: SRC.N8_CODES,
  },
  {
    code: '5.7.700-750',
    ranges: [{ classes: [5], subject: 7, from: 700, to: 750 }],
    meaning: 'Your tenant is blocked from sending (the 5.7.700–5.7.750 family), usually because of spam or mail from unregistered domains.',
    fixOwner: 'sender admin',
    fix: 'Find and fix the cause (compromised accounts, open relays, unregistered sending domains), then contact Microsoft Support if the block remains.',
    learnMoreUrl: SRC.N8,
  },
  {
    code: '5.7.800',
    exact: ['5.7.800'],
    documentedText: 'Access denied, banned sender',
    meaning: 'The EHLO, P1 (envelope) or P2 (header) sender domain of the message is banned because spam was detected from it.',
    fixOwner: 'sender admin',
    fix: 'Stop the spam from the domain, then contact Microsoft support to restore its ability to send.',
    learnMoreUrl: SRC.N1,
  },
];

// ── parsing ─────────────────────────────────────────────────────────────────────────────────────

// class 2/4/5, subject and detail of 1–3 digits; not part of a longer dotted number (IP addresses,
// version strings) and not followed by more digits.
const ENHANCED = /(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?!\d|\.\d)/;
const BARE = /^\s*([245])\.(\d{1,3})\.(\d{1,3})\s*$/;

function normalise(c: string, s: string, d: string): string {
  return `${c}.${Number(s)}.${Number(d)}`;
}

/**
 * The first enhanced status code (`c.s.d`, c in 2, 4, 5) in free text, normalised:
 * '550 5.4.310 DNS domain …' → '5.4.310', '#550 4.4.7 QUEUE.Expired' → '4.4.7'.
 */
export function parseEnhancedCode(text: string): string | undefined {
  if (typeof text !== 'string') return undefined;
  const m = ENHANCED.exec(text);
  if (!m) return undefined;
  return normalise(m[1] ?? '', m[2] ?? '', m[3] ?? '');
}

// ── lookup ──────────────────────────────────────────────────────────────────────────────────────

function inRange(range: StatusCodeRange, cls: number, subject: number, detail: number): boolean {
  return (
    (range.classes as readonly number[]).includes(cls) &&
    range.subject === subject &&
    detail >= range.from &&
    detail <= range.to
  );
}

interface CaseInput {
  text: string;
  /** The event names a remote server that answered. */
  remote: boolean;
}

function hasSelector(e: StatusCodeEntry): boolean {
  return e.whenText !== undefined || e.whenRemote !== undefined;
}

function selects(e: StatusCodeEntry, input: CaseInput): boolean {
  if (e.whenText && !(input.text && e.whenText.test(input.text))) return false;
  if (e.whenRemote !== undefined && e.whenRemote !== input.remote) return false;
  return true;
}

/** Among candidate entries, the first case whose selector matches the event, else the first general one. */
function pick(candidates: readonly StatusCodeEntry[], input: CaseInput): StatusCodeEntry | undefined {
  const specific = candidates.find((e) => hasSelector(e) && selects(e, input));
  if (specific) return specific;
  return candidates.find((e) => !hasSelector(e));
}

function findEntry(code: string, input: CaseInput): StatusCodeEntry | undefined {
  const exact = STATUS_CODE_ENTRIES.filter((e) => e.exact?.includes(code));
  const hit = pick(exact, input);
  if (hit) return hit;
  const [cls, subject, detail] = code.split('.').map(Number) as [number, number, number];
  const ranged = STATUS_CODE_ENTRIES.filter((e) => e.ranges?.some((r) => inRange(r, cls, subject, detail)));
  return pick(ranged, input);
}

// A remote server named in the raw text, for callers that pass the text without a decoded remote host.
const REMOTE_IN_TEXT = /\{FQDN=[^};\s]+\}|\[LastAttemptedServerName=[^\]\s]+\]|OutboundProxyTargetHostName:\s*[A-Za-z0-9]/i;

// ── RFC 3463 fallback ───────────────────────────────────────────────────────────────────────────

const CLASS_MEANING: Record<number, string> = {
  2: 'Success: this step finished normally.',
  4: 'A temporary failure: the sending server keeps retrying on its own.',
  5: 'A permanent failure: the message was not delivered, and sending it again unchanged will not help.',
};

const SUBJECT_MEANING: Record<number, string> = {
  0: 'The standard gives no further detail (other or undefined status).',
  1: 'It concerns the address: wrong, unknown or not accepted.',
  2: "It concerns the recipient's mailbox: full, disabled or over a limit.",
  3: 'It concerns the destination mail system itself.',
  4: 'It concerns the network or routing: DNS, connections, loops or expiry.',
  5: 'It concerns the mail protocol exchange between the two servers.',
  6: 'It concerns the message content or format.',
  7: 'It concerns security or policy: authentication, reputation or a rule.',
};

const SUBJECT_NAME: Record<number, string> = {
  0: 'other',
  1: 'addressing',
  2: 'mailbox',
  3: 'mail system',
  4: 'network and routing',
  5: 'mail delivery protocol',
  6: 'message content',
  7: 'security or policy',
};

const PERMANENT_FIX: Record<number, { owner: FixOwner; fix: string }> = {
  0: {
    owner: 'recipient admin',
    fix: 'Read the full error text: the server that refused the message usually states the reason, and its admin has to act on it.',
  },
  1: { owner: 'sender', fix: 'Check the recipient address for typos and confirm it with the recipient.' },
  2: {
    owner: 'recipient admin',
    fix: 'The recipient or their admin deals with the mailbox (free space, re-enable it or raise the limit); then resend.',
  },
  3: { owner: 'recipient admin', fix: "The destination's admin fixes the problem in their mail system; then resend." },
  4: {
    owner: 'recipient admin',
    fix: "The destination's admin checks DNS, MX records and that the server is reachable; the sender's admin checks their own connectors.",
  },
  5: { owner: 'sender admin', fix: 'The sender\'s admin checks the sending server or app for SMTP protocol problems.' },
  6: { owner: 'sender', fix: 'Change the message (format, size or attachments) and send it again.' },
  // Microsoft's 5.7.1 page covers 5.7.0 through 5.7.999 and says the recipient or the recipient's
  // admin usually has to change a setting, so an unknown 5.7.x never points at the sender's side.
  7: {
    owner: 'recipient admin',
    fix: "Usually the recipient or the recipient's admin has to change a setting (a restriction on the recipient, a group, or a rule); the server's text above names it. If it names your own organization's policy, your admin acts instead.",
  },
};

const FALLBACK_NOTE = 'Fallback: no entry documents this exact code, so this is general guidance for its class.';

function fallback(code: string, cls: number, subject: number, text: string): StatusCodeExplanation {
  const subjectMeaning =
    SUBJECT_MEANING[subject] ?? `Its subject (${subject}) is not one RFC 3463 defines.`;
  const said = text.trim() ? ` The server said: ${fenceUntrusted(text.trim(), 200)}.` : '';
  const meaning = `${CLASS_MEANING[cls] ?? ''} ${subjectMeaning}${said} ${FALLBACK_NOTE}`.trim();
  const permanentFix = PERMANENT_FIX[subject] ?? PERMANENT_FIX[0]!;
  const subjectName = SUBJECT_NAME[subject] ?? 'undefined subject';
  const matched = `${code} (RFC 3463 class ${cls} / subject ${subject}: ${subjectName})`;
  const learnMoreUrl = cls === 5 && subject === 7 ? SRC.N5 : SRC.R1;
  const base = { code, known: false, matched, meaning, fallback: true } as const;

  if (cls === 2) {
    return { ...base, fixOwner: 'nobody (retried automatically)', fix: 'Nothing to fix: this is not an error.', retryHelps: false, permanent: false, learnMoreUrl: SRC.R1 };
  }
  if (cls === 4) {
    const lower = permanentFix.fix.charAt(0).toLowerCase() + permanentFix.fix.slice(1);
    return {
      ...base,
      fixOwner: 'nobody (retried automatically)',
      fix: `Nothing to do yet: the sending server retries. If it keeps failing until the message expires: ${lower}`,
      retryHelps: true,
      permanent: false,
      learnMoreUrl: SRC.R1,
    };
  }
  return { ...base, fixOwner: permanentFix.owner, fix: permanentFix.fix, retryHelps: false, permanent: true, learnMoreUrl };
}

function unreadable(input: unknown): StatusCodeExplanation {
  const shown = fenceUntrusted(input, 60);
  return {
    code: typeof input === 'string' ? input.trim().slice(0, 60) : '',
    known: false,
    matched: 'unreadable',
    meaning: `The status code ${shown} could not be read: it is not an enhanced status code of the form class.subject.detail (for example 5.1.10).`,
    fixOwner: 'sender admin',
    fix: 'Read the full error text of the Fail or Defer event instead; it usually names the reason in words.',
    retryHelps: false,
    permanent: false,
    learnMoreUrl: SRC.N1,
  };
}

/**
 * Explain an enhanced status code. Accepts a bare code ('5.7.1') or text containing one
 * ('550 5.7.1 Unable to relay'). `detail` is what the event says around the code: its error text,
 * and the remote server that answered when the event names one. It picks the case for codes with
 * several documented meanings (5.7.1, 5.4.1, 5.0.350, 4.4.7, 2.1.5 …), where the owner or the fix
 * depends on the case. Never throws.
 */
export function explainStatusCode(code: string, detail?: string | StatusContext): StatusCodeExplanation {
  try {
    if (typeof code !== 'string') return unreadable(code);
    const context: StatusContext = typeof detail === 'string' ? { text: detail } : (detail ?? {});
    const bare = BARE.exec(code);
    let normalised: string | undefined;
    let text = typeof context.text === 'string' ? context.text : '';
    if (bare) {
      normalised = normalise(bare[1] ?? '', bare[2] ?? '', bare[3] ?? '');
    } else {
      normalised = parseEnhancedCode(code);
      text = text ? `${code} ${text}` : code;
    }
    if (!normalised) return unreadable(code);
    const [cls, subject] = normalised.split('.').map(Number) as [number, number, number];

    const remote = (typeof context.remoteHost === 'string' && context.remoteHost.trim() !== '') || REMOTE_IN_TEXT.test(text);
    const entry = findEntry(normalised, { text, remote });
    const out = entry ? fromEntry(entry, normalised, cls) : fallback(normalised, cls, subject, text);
    if (cls === 4 && gaveUp(text || code, normalised)) {
      out.caveat = out.caveat ? `${GAVE_UP} ${out.caveat}` : GAVE_UP;
    }
    return out;
  } catch {
    return unreadable(code);
  }
}

const GAVE_UP =
  'It came with a 5xx reply code, which Exchange Online uses once it has stopped retrying: treat this copy as failed for good and resend after the cause is fixed.';

/** A 5xx basic reply code in front of this 4.x.x code (e.g. '550 4.4.7 QUEUE.Expired'). */
function gaveUp(text: string, code: string): boolean {
  for (const m of text.matchAll(/(?<!\d)5\d\d[ -]([245])\.(\d{1,3})\.(\d{1,3})(?!\d)/g)) {
    if (normalise(m[1] ?? '', m[2] ?? '', m[3] ?? '') === code) return true;
  }
  return false;
}

function fromEntry(entry: StatusCodeEntry, normalised: string, cls: number): StatusCodeExplanation {
  const out: StatusCodeExplanation = {
    code: normalised,
    known: true,
    matched: entry.code,
    meaning: entry.meaning,
    fixOwner: entry.fixOwner,
    fix: entry.fix,
    retryHelps: entry.retryHelps ?? cls === 4,
    permanent: cls === 5,
    learnMoreUrl: entry.learnMoreUrl,
  };
  if (entry.documentedText) out.documentedText = entry.documentedText;
  if (entry.caseName) out.case = entry.caseName;
  if (entry.tellApart) out.tellApart = entry.tellApart;
  if (entry.caveat) out.caveat = entry.caveat;
  return out;
}
