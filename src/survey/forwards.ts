/**
 * The forwards a survey can name ("em", "toy"), as a module the inversion's makeForward and worker
 * threads can `require` by path: the EM engine and the inversion's analytic stand-in.
 */
import * as path from "path";
import { emForward, ForwardProviderSpec, toyForward } from "../inversion";
import type { ForwardKind } from "./format";

export { emForward, toyForward };

export const FORWARDS_MODULE = path.join(__dirname, "forwards.ts");

export function forwardSpec(kind: ForwardKind, options?: Record<string, unknown>): ForwardProviderSpec {
  return { module: FORWARDS_MODULE, factory: kind === "toy" ? "toyForward" : "emForward", args: options };
}
