// What every browser test needs from the project: its built binaries, a scratch
// directory removed afterwards, and child processes (field-client ui, sync-server serve)
// started on loopback and stopped when the test ends. No part of Amana is mocked.
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const repo = path.resolve(__dirname, '..', '..', '..');
const build = process.env.AMANA_BUILD || path.join(repo, 'build', 'release');

function binary(name) {
  const candidates = [path.join(build, name), path.join(build, name, name),
                      path.join(build, 'field-client', name), path.join(build, 'sync-server', name)];
  const found = candidates.find((p) => fs.existsSync(p) && fs.statSync(p).isFile());
  if (!found) throw new Error(`${name} is not built under ${build}: run tools/build release`);
  return found;
}

function scratch(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `amana-${prefix}-`));
}

// Runs a binary to completion; stdin may carry passphrases. Throws with its stderr on failure.
function run(name, args, { input = '', env = {}, cwd } = {}) {
  return execFileSync(binary(name), args, {
    input, cwd, env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'],
  });
}

// Starts a long-running binary and resolves once a line of its stdout matches `ready`
// (the printed URL or port); the match is returned with the process.
function start(name, args, { ready, input = '', env = {}, cwd, timeoutMs = 60_000 } = {}) {
  const child = spawn(binary(name), args, { cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${name} not ready: ${out}${err}`)); }, timeoutMs);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(ready);
      if (match) { clearTimeout(timer); resolve({ child, match, output: () => out + err }); }
    });
    child.stderr.on('data', (chunk) => { err += chunk; });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${name} exited (${code}) before ready: ${out}${err}`)); });
    if (input) child.stdin.write(input);
  });
}

async function stop(started) {
  if (!started || started.child.exitCode !== null) return;
  const exited = new Promise((resolve) => started.child.once('exit', resolve));
  started.child.kill('SIGTERM');
  const timer = setTimeout(() => started.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

// Screenshots for docs/ are written only when AMANA_SCREENSHOTS names the folder
// (tools/browser-test --screenshots), so an ordinary run leaves the tree untouched.
async function screenshot(page, name) {
  const folder = process.env.AMANA_SCREENSHOTS;
  if (!folder) return;
  fs.mkdirSync(folder, { recursive: true });
  await page.screenshot({ path: path.join(folder, `${name}.png`), fullPage: true });
}

module.exports = { repo, build, binary, scratch, run, start, stop, screenshot };
