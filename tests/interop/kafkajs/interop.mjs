// PriceIntel <-> KafkaJS interop, run by PriceIntel.Kafka.Tests (KafkaJsInteropTests) against the mock cluster.
//   node interop.mjs produce <bootstrap> <file>     file: one "topic<TAB>key<TAB>value" line per message; produced
//                                                  keyed, partition chosen by KafkaJS's Java-compatible partitioner
//   node interop.mjs read <bootstrap> <count> <topic>...   reads <count> messages from the beginning of the topics
//                                                  with a consumer's default settings; prints one JSON object per
//                                                  message: { topic, partition, key, id, value }
import { readFileSync } from 'node:fs';
import { Kafka, Partitioners, logLevel } from 'kafkajs';

const [mode, bootstrap, ...rest] = process.argv.slice(2);
const kafka = new Kafka({ clientId: 'priceintel-interop', brokers: bootstrap.split(','), logLevel: logLevel.ERROR, retry: { retries: 10 } });

async function produce(file) {
  const byTopic = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const [topic, key, value] = line.split('\t');
    if (!byTopic.has(topic)) byTopic.set(topic, []);
    byTopic.get(topic).push({ key, value });
  }
  // The partitioner PriceIntel requires: murmur2 of the key, as the Java client computes it.
  const producer = kafka.producer({ createPartitioner: Partitioners.JavaCompatiblePartitioner, maxInFlightRequests: 1 });
  await producer.connect();
  const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
  await producer.sendBatch({ topicMessages, acks: -1 });
  await producer.disconnect();
  console.error(`produced ${topicMessages.reduce((n, t) => n + t.messages.length, 0)} messages`);
}

async function read(count, topics) {
  const consumer = kafka.consumer({ groupId: `priceintel-interop-${Date.now()}` }); // defaults otherwise
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  let seen = 0;
  await new Promise((resolve, reject) => {
    consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const id = message.headers['priceintel-id'];
        console.log(JSON.stringify({
          topic,
          partition,
          key: message.key === null ? null : message.key.toString('utf8'),
          id: id === undefined ? null : id.toString('utf8'),
          value: message.value.toString('utf8'),
        }));
        if (++seen >= count) resolve();
      },
    }).catch(reject);
  });
  await consumer.disconnect();
}

const timer = setTimeout(() => { console.error('interop: timed out'); process.exit(3); }, 25_000);
try {
  if (mode === 'produce') await produce(rest[0]);
  else if (mode === 'read') await read(Number(rest[0]), rest.slice(1));
  else throw new Error(`unknown mode ${mode}`);
  clearTimeout(timer);
  process.exit(0);
} catch (e) {
  console.error(`interop: ${e.stack ?? e}`);
  process.exit(2);
}
