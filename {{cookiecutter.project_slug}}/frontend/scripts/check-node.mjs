// Exits non-zero, saying why, when this Node.js is outside "engines.node" of package.json: the
// make targets run it before any frontend tool, which would otherwise crash in obscure ways on an
// older Node. It reads only the range forms package.json uses: ^x.y.z and >=x.y.z, joined by ||.
import { readFileSync } from 'node:fs'

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const wanted = packageJson.engines.node
const running = process.versions.node.split('.').map(Number)

function atLeast(version) {
  for (let part = 0; part < 3; part++) {
    if (running[part] !== version[part]) return running[part] > version[part]
  }
  return true
}

function satisfies(range) {
  const match = /^(\^|>=)(\d+)\.(\d+)\.(\d+)$/.exec(range.trim())
  if (!match) throw new Error(`check-node.mjs cannot read the range ${range} of engines.node`)
  const version = match.slice(2).map(Number)
  return atLeast(version) && (match[1] === '>=' || running[0] === version[0])
}

if (!wanted.split('||').some(satisfies)) {
  console.error(`Node.js ${process.version} cannot run the frontend's tools, which need Node.js ${wanted}.`)
  process.exit(1)
}
