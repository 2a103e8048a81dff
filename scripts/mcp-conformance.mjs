// The MCP server through the official TypeScript SDK client: it starts the command
// given after `--`, lists the tools, checks serverInfo.version and calls that must
// come back as tool errors at once. Run by scripts/mcp-conformance.sh.
import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  StdioClientTransport,
  getDefaultEnvironment,
} from "@modelcontextprotocol/sdk/client/stdio.js";

const FAST_MS = 1000;
const UNKNOWN_THREAD = "019ae000-0000-7000-8000-000000000000";
const expectedVersion = process.env.EXPECTED_VERSION;
const [command, ...args] = process.argv.slice(process.argv.indexOf("--") + 1);

const transport = new StdioClientTransport({
  command,
  args,
  env: { ...getDefaultEnvironment(), CODEX_HOME: process.env.CODEX_HOME },
  stderr: "ignore",
});
const client = new Client({ name: "codex-pr-bot-conformance", version: "1.0.0" });
await client.connect(transport);

try {
  const info = client.getServerVersion();
  assert.equal(info?.name, "codex-pr-bot");
  assert.equal(info?.version, expectedVersion, "serverInfo.version");
  console.log(`serverInfo: ${info.name} ${info.version}`);

  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((tool) => tool.name), ["codex", "codex-reply"]);
  const codex = tools[0].inputSchema;
  assert.equal(codex.additionalProperties, false);
  assert.deepEqual(codex.properties.sandbox.enum, ["workspace-write"]);
  console.log("tools/list: codex, codex-reply");

  const invalid = [
    ["codex", { prompt: "x", cwd: "does-not-exist" }, "does not exist"],
    ["codex", { prompt: "x", cwd: "README.md" }, "is not a folder"],
    ["codex", { prompt: 42 }, "'prompt' must be a string"],
    ["codex", { prompt: "x", sandbox: "danger-full-access" }, "'sandbox' is fixed"],
    ["codex", { prompt: "x", timeout: 5 }, "Unknown argument"],
    ["codex-reply", { prompt: "more" }, "'threadId' is required"],
    // Reaches Codex's app-server, which answers at once; no model is involved.
    ["codex-reply", { prompt: "more", threadId: UNKNOWN_THREAD }, "no rollout found"],
  ];
  for (const [name, callArgs, complaint] of invalid) {
    const started = performance.now();
    // A hang fails after 10 s instead of the SDK's 60 s default.
    const options = { timeout: 10_000 };
    const result = await client.callTool({ name, arguments: callArgs }, undefined, options);
    const ms = performance.now() - started;
    const text = result.content.map((part) => part.text).join(" ");
    const label = `${name} ${JSON.stringify(callArgs)}`;
    assert.equal(result.isError, true, `${label}: not a tool error: ${text}`);
    assert.ok(text.includes(complaint), `${label}: ${text}`);
    assert.ok(ms < FAST_MS, `${label}: ${ms.toFixed(0)} ms`);
    console.log(`tool error in ${ms.toFixed(1)} ms: ${label}`);
  }
} finally {
  await client.close();
}
