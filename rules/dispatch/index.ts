/**
 * The entry of the dispatch peer: the durable outbox in gateway.db and the delivery channels
 * (webhook, MQTT, e-mail) shared by work orders and alarm escalation. Other peers import from here only.
 */
export { DeliveryError, type ChannelType, type DeliveryResult, type OutboundMessage } from './channel.ts';
export { channelsSchema, type ChannelsConfig } from './channels-schema.ts';
export { OutboxStore, type DeadLetter, type DeliveryAttempt, type OutboxRow } from './outbox-store.ts';
export { OutboxWorker, type OutboxWorkerOptions, type Sender } from './outbox-worker.ts';
export { createSenders, type SenderOptions, type Senders } from './senders.ts';
export { guardedLookup, webhookUrlProblem, type WebhookPolicy } from './webhook-target-policy.ts';
