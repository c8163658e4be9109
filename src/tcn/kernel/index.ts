/** The TCN's wasm inference kernel (conv1d.wat) and the engine that runs a trained network on it. */
export { TcnKernel } from "./engine";
