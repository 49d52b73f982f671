// The product and engine version: reported by the health check and recorded in model files.
export const SIGMA_VERSION = '0.1.0';
