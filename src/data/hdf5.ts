/**
 * HDF5 datasets in the D4RL / Minari layout: `writeDatasetHdf5` (flat D4RL keys, byte-reproducible, atomic) and
 * `readDatasetHdf5` (flat D4RL or Minari `episode_<i>` groups, with errors that name the key and row).
 */
export { writeDatasetHdf5, flatten, FORMAT, RESERVED_ATTRS, type FlatArrays } from "./hdf5-write.js";
export { readDatasetHdf5, DatasetFileError, type ReadOptions } from "./hdf5-read.js";
export { MAX_DISCRETE_ACTIONS, MAX_KEY_BYTES, MAX_ROW_WIDTH } from "./hdf5-space.js";
