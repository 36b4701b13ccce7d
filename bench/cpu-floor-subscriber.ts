/**
 * Child process of bench/e2e.ts: the least a subscriber can do and keep the gateway's contract,
 * to measure the CPU floor beside the gateway. A bare mqtt.js QoS 1 subscriber on `load/#` that
 * parses each payload as JSON, commits each event-loop turn's messages to a SQLite file (WAL,
 * synchronous=NORMAL, one row per message) and only then acknowledges them, all PUBACKs of a turn
 * in one socket write (as the gateway's connector does, gateway/connectors/mqtt/
 * mqtt-ack-after-commit.ts). No rules, live view, uptime, second file or InfluxDB.
 *
 *   node bench/cpu-floor-subscriber.ts MQTT_URL FILE   (reports { received } on any IPC message)
 */
import { DatabaseSync } from 'node:sqlite';
import mqtt from 'mqtt';
import { ACK_DEFERRED, sendPubacks } from '../gateway/connectors/mqtt/mqtt-ack-after-commit.ts';

const [url, file] = process.argv.slice(2);
if (!url || !file || !process.send) throw new Error('usage: forked with MQTT_URL FILE');
const db = new DatabaseSync(file);
db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE IF NOT EXISTS m (topic TEXT NOT NULL, ts INTEGER NOT NULL, value ANY)');
const insert = db.prepare('INSERT INTO m (topic, ts, value) VALUES (?, ?, ?)');
let turn: Array<{ topic: string; ts: number; value: unknown; id: number }> = [];
let received = 0;
const client = await mqtt.connectAsync(url, { clientId: `cpu-floor-${process.pid}`, clean: true, reconnectPeriod: 0 });

function commitTurn(): void {
  const rows = turn;
  turn = [];
  db.exec('BEGIN');
  for (const r of rows) insert.run(r.topic, r.ts, typeof r.value === 'number' ? r.value : JSON.stringify(r.value));
  db.exec('COMMIT');
  sendPubacks(client, rows.map((r) => r.id));
}

client.handleMessage = (packet, callback) => {
  const value = (JSON.parse(packet.payload.toString()) as Record<string, unknown>).discharge_bar;
  received++;
  if (turn.length === 0) setImmediate(commitTurn);
  turn.push({ topic: packet.topic, ts: Date.now(), value, id: packet.messageId as number });
  callback(ACK_DEFERRED); // mqtt.js sends no PUBACK of its own: sendPubacks does, after the commit
};
await client.subscribeAsync('load/#', { qos: 1 });
process.on('message', () => process.send?.({ received }));
// the benchmark gone (an error, Ctrl-C): nothing is left running
process.on('disconnect', () => process.exit(0));
process.send({ received });
