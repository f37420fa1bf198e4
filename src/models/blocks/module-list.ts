/** An ordered list of modules registered as "0", "1", ... (names `blocks.0.attn...` as PyTorch's ModuleList). */
import { Module } from "../../tensor/index.js";

export class ModuleList<M extends Module> extends Module {
  readonly items: M[] = [];

  constructor(items: M[]) {
    super();
    items.forEach((m, i) => this.items.push(this.addModule(String(i), m)));
  }
}
