#!/usr/bin/env node
/** The `strl` command: dispatches to `src/cli/commands/<name>.ts`. */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "./command.js";
import { UsageError, isUserError } from "./usage-error.js";
import { unknownMessage } from "./flags.js";
import { explainFsError } from "../io/fs-safe.js";
import { VERSION } from "../version.js";
import { oneLine } from "../config/index.js";

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), "commands");

function commandNames(): string[] {
  return readdirSync(commandsDir)
    .filter((f) => f.endsWith(".js"))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function loadCommand(name: string): Promise<Command | undefined> {
  if (!/^[a-z][a-z0-9-]*$/.test(name) || !commandNames().includes(name)) return undefined;
  const mod = (await import(`./commands/${name}.js`)) as { command: Command };
  return mod.command;
}

async function mainHelp(): Promise<string> {
  const lines = [`strl ${VERSION} — Spike-Transformer Reinforcement Learning`, "", "Usage: strl <command> [options]", "", "Commands:"];
  for (const name of commandNames()) {
    const c = await loadCommand(name);
    if (c) lines.push(`  ${name.padEnd(12)} ${c.summary}`);
  }
  lines.push("", "Run `strl <command> --help` for a command's options and examples.");
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(await mainHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-v") {
    console.log(VERSION);
    return 0;
  }
  const command = await loadCommand(name);
  if (!command) {
    console.error(`strl: ${unknownMessage("command", name, commandNames())}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(command.help);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`strl ${name}: ${oneLine(e.message, 4000)}`); // one line, whatever text it quotes
      return 2;
    }
    // Errors about the user's files, folders or values that no command wrapped (disk full, a locked run
    // folder, a bad checkpoint met late) are one line too; defects keep their stack trace (exit 1).
    const err = explainFsError(e);
    if (isUserError(err)) {
      console.error(`strl ${name}: ${(err as Error).message.split("\n")[0]}`);
      return 2;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exitCode = 1;
  },
);
