/**
 * The published real responses (test/fixtures/sample-responses.json, with its source URL: a beta list page and the detail record of
 * its failed recipient, January 2026), kept verbatim. The tenant shifts their timestamps into the
 * recent window; every other byte (ids, addresses, subjects, messageIds, descriptions, data XML)
 * is served as published.
 */
import type { MessageTraceDetailEvent, MessageTraceRow } from '../../graph/types.js';

export const PUBLISHED_LIST_ROWS: readonly MessageTraceRow[] = [
  {
    "id": "339e40d1-9a34-4bc5-adbe-08de5bf70906",
    "messageId": "<a5cf7e42-ad2f-4f81-89c5-aaaaaaab86f@VIAPPFE7A2FBFA8.EURP250.PROD.OUTLOOK.COM>",
    "status": "delivered",
    "receivedDateTime": "2026-01-25T09:49:29.967Z",
    "recipientAddress": "MartinMachacek@4wrvkx.onmicrosoft.com",
    "senderAddress": "MicrosoftExchange123abcec88ae4615bbc36ab6ce41109e@4wrvkx.onmicrosoft.com",
    "subject": "Undeliverable: Meeting",
    "size": 69376,
    "fromIP": "255.255.255.255",
    "toIP": ""
  },
  {
    "id": "eaaafa9a-788c-47f0-357c-08de5bf702e0",
    "messageId": "<AMBP250MB14920887FE274BC92A@AMBP250MB9875.EURP250.PROD.OUTLOOK.COM>",
    "status": "failed",
    "receivedDateTime": "2026-01-25T09:49:19.648Z",
    "recipientAddress": "aaa@bbb.ccccccc",
    "senderAddress": "MartinMachacek@4wrvkx.onmicrosoft.com",
    "subject": "Meeting",
    "size": 25249,
    "fromIP": "89.177.230.109",
    "toIP": ""
  },
  {
    "id": "eaaafa9a-788c-47f0-357c-08de5bf702e0",
    "messageId": "<AMBP250MB14920887FE272A7C4BC92A@AMBP250MB9875.EURP250.PROD.OUTLOOK.COM>",
    "status": "delivered",
    "receivedDateTime": "2026-01-25T09:49:19.648Z",
    "recipientAddress": "AlexW@4wrvkx.onmicrosoft.com",
    "senderAddress": "MartinMachacek@4wrvkx.onmicrosoft.com",
    "subject": "Meeting",
    "size": 39686,
    "fromIP": "89.177.230.109",
    "toIP": ""
  }
];

/** getDetailsByRecipient for (eaaafa9a-788c-47f0-357c-08de5bf702e0, aaa@bbb.ccccccc). */
export const PUBLISHED_DETAIL_EVENTS: readonly MessageTraceDetailEvent[] = [
  {
    "id": "eaaafa9a-788c-47f0-357c-08de5bf702e0",
    "messageId": "<AMBP250MB1492088EBC4BC92A@AMBP250MB9875.EURP250.PROD.OUTLOOK.COM>",
    "dateTime": "2026-01-25T09:49:20.187Z",
    "event": "Submit",
    "action": "",
    "description": "The message was submitted.",
    "data": "<root><MEP Name=\"RcptCount\" Integer=\"2\" /><MEP Name=\"ServerHostName\" String=\"VI6PPFE7A2F83A8.EURP250.PROD.OUTLOOK.COM\" /><MEP Name=\"ClientName\" String=\"AMBP250MB1492\" /><MEP Name=\"SequenceNumber\" Long=\"0\" /></root>"
  },
  {
    "id": "eaaafa9a-788c-47f0-357c-08de5bf702e0",
    "messageId": "<AMBP250MB14920887F4BC92A@AMBP250MB9875.EURP250.PROD.OUTLOOK.COM>",
    "dateTime": "2026-01-25T09:49:26.421Z",
    "event": "Receive",
    "action": "",
    "description": "Message received by: VI6P2F83A8.EURP250.PROD.OUTLOOK.COM",
    "data": "<root><MEP Name=\"ConnectorId\" String=\"VI6P2F83A8\\Default VI6F83A8\" /><MEP Name=\"ClientIP\" String=\"2603:10a6:20b:764::22\" /><MEP Name=\"ServerHostName\" String=\"VI6PP83A8.EURP250.PROD.OUTLOOK.COM\" /><MEP Name=\"FirstForestHop\" String=\"VI6PP83A8.EURP250.PROD.OUTLOOK.COM\" /><MEP Name=\"DeliveryPriority\" String=\"Normal\" /><MEP Name=\"ReturnPath\" String=\"MartinMachacek@4wrvkx.onmicrosoft.com\" /><MEP Name=\"CustomData\" Blob=\"S:tlsversion=NONE\" /><MEP Name=\"SequenceNumber\" Long=\"0\" /></root>"
  },
  {
    "id": "eaaafa9a-788c-47f0-357c-08de5bf702e0",
    "messageId": "<AMBP250MB1EBC4BC92A@AMBP250MB9875.EURP250.PROD.OUTLOOK.COM>",
    "dateTime": "2026-01-25T09:49:28.442Z",
    "event": "TRANSFER",
    "action": "",
    "description": null,
    "data": "<root><MEP Name=\"DeliveryPriority\" String=\"Normal\" /><MEP Name=\"ReturnPath\" String=\"MartinMachacek@4wrvkx.onmicrosoft.com\" /><MEP Name=\"SequenceNumber\" Long=\"0\" /><MEP Name=\"RecipientReference\" String=\"46729082\" /></root>"
  },
  {
    "id": "eaaafa9a-788c-47f0-357c-08de5bf702e0",
    "messageId": "<AMBP250MB14922A@AMBP250MB9875.EURP250.PROD.OUTLOOK.COM>",
    "dateTime": "2026-01-25T09:49:29.981Z",
    "event": "Fail",
    "action": "",
    "description": "Reason: [{LED=550 5.4.310 DNS domain bbb.ccccccc does not exist [Message=InfoDomainNonexistent] [LastAttemptedServerName=bbb.ccccccc] [AM4PEPF0002BAA6.EURPRD83.prod.outlook.com 2026-01-25T09:49:29.944Z 08DE5AB03F707551]};{MSG=InfoDomainNonexistent};{FQDN=bbb.ccccccc};{IP=0.0.0.0};{LRT=1/25/2026 9:49:29 AM}]. OutboundProxyTargetHostName: bbb.ccccccc",
    "data": "<root><MEP Name=\"RcptCount\" Integer=\"1\" /><MEP Name=\"ConnectorId\" String=\"Outbound Proxy External Send Connector\" /><MEP Name=\"ServerHostName\" String=\"bbb.ccccccc\" /><MEP Name=\"DeliveryPriority\" String=\"Normal\" /><MEP Name=\"TotalLatency\" Integer=\"10\" /><MEP Name=\"OutboundProxyTargetHostName\" String=\"bbb.ccccccc\" /><MEP Name=\"ReturnPath\" String=\"MartinMachacek@4wrvkx.onmicrosoft.com\" /><MEP Name=\"ClientName\" String=\"VI6PA8.EURP250.PROD.OUTLOOK.COM\" /><MEP Name=\"CustomData\" Blob=\"S:OutboundProxyFrontEndName=eur.internal.map.protection.eop.outlook.com;S:IsSmtpResponseFromExternalServer=False;S:Microsoft.Exchange.Transport.MailRecipient.RequiredTlsAuthLevel=DomainValidation;S:ExternalSendLatency=10.297;S:OutboundIpPool=1102;S:OutboundIpPoolName=RegularOutboundPool\" /><MEP Name=\"SequenceNumber\" Long=\"0\" /><MEP Name=\"RecipientStatus\" String=\"[{LED=550 5.4.310 DNS domain bbb.ccccccc does not exist [Message=InfoDomainNonexistent] [LastAttemptedServerName=bbb.ccccccc] [AM4PEPF0002BAA6.EURPRD83.prod.outlook.com 2026-01-25T09:49:29.944Z 08DE5AB03F707551]};{MSG=InfoDomainNonexistent};{FQDN=bbb.ccccccc};{IP=0.0.0.0};{LRT=1/25/2026 9:49:29 AM}]\" /><MEP Name=\"RecipientReference\" String=\"&lt;a5cf7e42-ad2f-4f81-89c5-97dda6f@VI6PP3A8.EURP250.PROD.OUTLOOK.COM&gt;\" /></root>"
  }
];

export const PUBLISHED_TRACE_ID = "eaaafa9a-788c-47f0-357c-08de5bf702e0";
export const PUBLISHED_RECIPIENT = "aaa@bbb.ccccccc";

/** servicePrincipalMissingError.body.error.message */
export const SERVICE_PRINCIPAL_MISSING_MESSAGE = "Service principal-less Authentication failed: the service principal for App ID 8bd644d1-64a1-4d4b-ae52-2e0cbf64e373 was not found. Please create a service principal for this app in your tenant. Provisioning may take several hours to complete. For details, see: https://learn.microsoft.com/entra/identity-platform/retire-service-principal-less-authentication?branch=main#create-a-service-principal";
