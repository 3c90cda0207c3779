// node-x12's parse of one file, timed in this process: the peer figure bench/edi_bench.py compares
// crossdock's read + translate against. Usage: node parse.js FILE ROUNDS PARSES_PER_ROUND
// The file is read and decoded once; each round times PARSES_PER_ROUND parses of the same string
// (strict mode, as node-x12 documents it); the best round is kept. One warm-up parse comes first.
// Prints one JSON line: {"sets": n, "segments": n, "best_round_s": s, "per_parse_s": s,
// "best_round_cpu_s": s}, where segments counts each set's ST..SE segments (as the Python side does)
// and the CPU time is this process's (all its threads, the garbage collector's included).
'use strict'
const fs = require('fs')
const { X12Parser } = require('node-x12')

const [file, roundsArg, parsesArg] = process.argv.slice(2)
const rounds = Number(roundsArg || 3)
const parses = Number(parsesArg || 1)
const text = fs.readFileSync(file, 'utf8')

function parseOnce () {
  return new X12Parser(true).parse(text)
}

function count (parsed) {
  const interchanges = Array.isArray(parsed) ? parsed : [parsed]
  let sets = 0
  let segments = 0
  for (const interchange of interchanges) {
    for (const group of interchange.functionalGroups) {
      for (const transaction of group.transactions) {
        sets += 1
        segments += transaction.segments.length + 2
      }
    }
  }
  return { sets, segments }
}

const tally = count(parseOnce())
let best = Infinity
let bestCpu = Infinity
for (let round = 0; round < rounds; round++) {
  const cpu = process.cpuUsage()
  const start = process.hrtime.bigint()
  for (let i = 0; i < parses; i++) parseOnce()
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  const used = process.cpuUsage(cpu)
  best = Math.min(best, seconds)
  bestCpu = Math.min(bestCpu, (used.user + used.system) / 1e6)
}
console.log(JSON.stringify({
  sets: tally.sets, segments: tally.segments, best_round_s: best, per_parse_s: best / parses, best_round_cpu_s: bestCpu
}))
