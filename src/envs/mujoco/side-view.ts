/**
 * A side view of a locomotion env's bodies: every geom of `LocomotionEnv.geoms()` projected on the world x-z
 * plane (the plane the planar hopper, walker and cheetah move in), in metres. A capsule is the segment between
 * its two end points (its centre ± half-length along its local z axis, the third column of the rotation) with its
 * radius; a sphere is its centre and radius; a plane (the floor) is the height it lies at. The page draws these
 * (web/app/draw-mujoco.ts); geoms of other types (none in the three v5 models) are left out and counted.
 */
import type { GeomPose } from "./locomotion.js";

/** MuJoCo's mjtGeom values used here. */
export const GEOM = Object.freeze({ plane: 0, sphere: 2, capsule: 3 });

export type SideShape =
  | { kind: "floor"; z: number; rgba: number[] }
  | { kind: "capsule"; a: [number, number]; b: [number, number]; radius: number; rgba: number[] }
  | { kind: "sphere"; c: [number, number]; radius: number; rgba: number[] };

export interface SideView {
  /** Floor first, then the bodies' geoms in the model's order. */
  shapes: SideShape[];
  /** World x of the first body geom (the torso): where a following camera looks. */
  focusX: number;
  /** Geoms of a type this view does not draw. */
  skipped: number;
}

/** Projects `geoms` (as `LocomotionEnv.geoms()` returns them) on the x-z plane. */
export function sideView(geoms: readonly GeomPose[]): SideView {
  const shapes: SideShape[] = [];
  let focusX: number | undefined;
  let skipped = 0;
  for (const g of geoms) {
    const [x, , z] = g.pos as [number, number, number];
    if (g.type === GEOM.plane) {
      shapes.push({ kind: "floor", z, rgba: g.rgba });
      continue;
    }
    focusX ??= x;
    if (g.type === GEOM.capsule) {
      const h = g.size[1]!;
      // the local z axis in world coordinates: column 2 of the row-major rotation
      const ax = g.mat[2]!;
      const az = g.mat[8]!;
      shapes.push({ kind: "capsule", a: [x - h * ax, z - h * az], b: [x + h * ax, z + h * az], radius: g.size[0]!, rgba: g.rgba });
    } else if (g.type === GEOM.sphere) {
      shapes.push({ kind: "sphere", c: [x, z], radius: g.size[0]!, rgba: g.rgba });
    } else {
      skipped++;
    }
  }
  if (focusX === undefined) throw new RangeError("sideView: the geoms hold no body (only planes)");
  shapes.sort((p, q) => Number(q.kind === "floor") - Number(p.kind === "floor"));
  return { shapes, focusX, skipped };
}
