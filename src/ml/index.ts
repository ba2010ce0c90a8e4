export type { Dataset, Objective, TrainingBackend, TrainParams } from "./backend.js";
export { GbdtModel, type Contributions } from "./gbdt.js";
export { loadXGBoost, xgboostStatus, type XGBoostOptions, type XGBoostStatus } from "./xgboost.js";
export { DEFAULT_XGBOOST_LIBRARY } from "./xgboost-library.js";
