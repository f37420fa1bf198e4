/** `strl example lif`: a small spiking example that runs in a second and needs no data. */
import type { Command } from "../command.js";
import { parseFlags, numberFlag, numberItems, unknownMessage } from "../command.js";
import { UsageError } from "../usage-error.js";
import { grad, ready, sum, tensor, type Tensor } from "../../tensor/index.js";
import { LIF, lifConfig, lifForward, FiringRateMonitor, type SurrogateName } from "../../snn/index.js";
import { energyReport, linearMacs } from "../../energy/index.js";

const HELP = `strl example lif — drive one LIF neuron and a tiny spiking layer, print the traces and energy

Usage: strl example lif [--input 1.2,2.0,0.4,3.0,1.0,2.0] [--tau 2] [--threshold 1] [--soft-reset]
                        [--surrogate sigmoid] [--json]

Prints, per time step, the input current X_t, the membrane before reset H_t, the spike S_t and the membrane after
reset V_t (tau-leaky integration, spikingjelly semantics), then dN/dX_t, the surrogate gradient of the spike count N,
the firing rate, and the energy of Linear(3->4) -> LIF -> Linear(4->2) on 45 nm CMOS (MACs vs synaptic ops).

Examples:
  strl example lif
  strl example lif --input 0.5,0.5,0.5,0.5 --tau 1.5
  strl example lif --soft-reset --json`;

export const command: Command = {
  summary: "small spiking examples (e.g. `strl example lif`)",
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      {
        input: { type: "string" },
        tau: { type: "string" },
        threshold: { type: "string" },
        "soft-reset": { type: "boolean" },
        surrogate: { type: "string" },
        json: { type: "boolean" },
      },
      true,
    );
    const which = positionals[0] ?? "lif";
    if (which !== "lif" || positionals.length > 1) throw new UsageError(unknownMessage("example", positionals.join(" "), ["lif"]));
    const xs = numberItems("input", values.input ?? "1.2,2.0,0.4,3.0,1.0,2.0");
    let cfg;
    try {
      cfg = lifConfig({
        tau: numberFlag("tau", values.tau, 2),
        vThreshold: numberFlag("threshold", values.threshold, 1),
        vReset: values["soft-reset"] ? null : 0,
        surrogate: (values.surrogate ?? "sigmoid") as SurrogateName,
      });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    await ready();
    const T = xs.length;
    const lif = new LIF(cfg, "lif");
    const tr = lifForward(new Float32Array(xs), T, 1, lif.kernelParams, { repeated: false, mean: false, recordMembrane: true });
    const dx = grad((x: Tensor) => sum(lif.forward(x)))(tensor(xs, [T, 1])).dataSync();

    // A tiny network for the energy example: x = [1, 0, 0] feeds constant currents 2.5, 1.5, 0.3, 1.2 to 4 LIFs.
    const net = new LIF(cfg, "hidden");
    const mon = new FiringRateMonitor().attach(net);
    net.forwardRepeated(tensor([[2.5, 1.5, 0.3, 1.2]]), 4);
    const rate = mon.rate("hidden");
    const energy = energyReport([
      { layer: "fc1 (real input)", input: "real", macs: linearMacs(1, 3, 4) },
      { layer: "fc2 (spike input)", input: "spike", macs: linearMacs(1, 4, 2), T: 4, rate },
    ]);

    const steps = xs.map((x, t) => ({ t, x, h: tr.hTrace![t]!, s: tr.y[t]!, v: tr.v![t]!, grad: dx[t]! }));
    if (values.json) {
      console.log(JSON.stringify({ config: cfg, steps, firingRate: tr.spikeCount / T, network: { hiddenRate: rate, energy } }));
      return 0;
    }
    const f = (v: number) => v.toFixed(4).padStart(9);
    console.log(`LIF tau=${cfg.tau} v_th=${cfg.vThreshold} reset=${cfg.vReset === null ? "soft" : `hard to ${cfg.vReset}`} surrogate=${cfg.surrogate.name}`);
    console.log("    t        X_t       H_t  S_t       V_t  dN/dX_t");
    for (const r of steps) console.log(`${String(r.t).padStart(5)}${f(r.x)} ${f(r.h)}  ${r.s}  ${f(r.v)} ${f(r.grad)}`);
    console.log(`spikes ${tr.spikeCount} of ${T} steps (rate ${(tr.spikeCount / T).toFixed(3)}); N = number of spikes`);
    console.log("");
    console.log(`Linear(3->4) -> LIF -> Linear(4->2), T = 4, hidden firing rate ${rate.toFixed(4)}:`);
    for (const l of energy.layers) {
      console.log(`  ${l.layer.padEnd(18)} ${l.input === "real" ? `${l.macs} MACs` : `${l.sops} SOPs`} = ${l.energyPj.toFixed(2)} pJ`);
    }
    console.log(`  energy per decision ${energy.energyPerDecisionPj.toFixed(2)} pJ (${energy.profile.name}: E_MAC ${energy.profile.eMacPj} pJ, E_AC ${energy.profile.eAcPj} pJ)`);
    return 0;
  },
};
