/** Registers the continuous-state environments (Gymnasium classic control and D4RL's maze2d-umaze). */
import { register } from "../core.js";
import { AcrobotEnv } from "./acrobot.js";
import { CartPoleEnv } from "./cartpole.js";
import { Maze2DEnv } from "./maze2d.js";
import { MountainCarContinuousEnv } from "./mountain-car-continuous.js";
import { MountainCarEnv } from "./mountain-car.js";
import { PendulumEnv } from "./pendulum.js";

register("CartPole-v1", (options) => new CartPoleEnv(options));
register("MountainCar-v0", (options) => new MountainCarEnv(options));
register("MountainCarContinuous-v0", (options) => new MountainCarContinuousEnv(options));
register("Acrobot-v1", (options) => new AcrobotEnv(options));
register("Pendulum-v1", (options) => new PendulumEnv(options));
register("Maze2D-UMaze-v0", (options) => new Maze2DEnv(options));
