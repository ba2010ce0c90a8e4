export { fetchIcsFeed } from "./feed.js";
export type { FetchIcsFeedOptions, IcsFeedResult } from "./feed.js";
export { importIcsFeed } from "./import-feed.js";
export type { IcsFeedImport } from "./import-feed.js";
