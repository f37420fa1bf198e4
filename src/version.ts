/** The strl version, written into datasets, checkpoints and reports. Keep in step with package.json. */
export const VERSION = "0.1.0";
