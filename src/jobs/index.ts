export { InProcessJobQueue } from "./in-process.js";
export type { InProcessQueueOptions } from "./in-process.js";
export { PostgresJobQueue } from "./postgres.js";
export type { PostgresQueueOptions } from "./postgres.js";
export { InvalidJobPayload, withPayload } from "./queue.js";
export type { Job, JobEvent, JobEventListener, JobHandler, JobQueue, SendOptions } from "./queue.js";
