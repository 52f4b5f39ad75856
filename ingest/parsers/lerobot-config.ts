// The config a LeRobot console log prints at the start: `logging.info(pformat(cfg.to_dict()))` in every
// train.py / lerobot_train.py from v0.3 to today (and `pformat(OmegaConf.to_container(cfg))` in the 2024
// Hydra layout): a Python dict literal over many physical lines, keys sorted, nested dicts indented, long
// lists wrapped one element per line, e.g.
//
//   INFO 2025-06-01 12:00:00 ot_train.py:111 {'batch_size': 64,
//    'dataset': {'episodes': None,
//                'repo_id': 'lerobot/svla_so100_pickplace',
//                ...},
//    'policy': {'adapt_to_pi_aloha': False,
//               'freeze_vision_encoder': True,
//               ...
//               'train_expert_only': True,
//               'type': 'smolvla',
//               'vlm_model_name': 'HuggingFaceTB/SmolVLM2-500M-Video-Instruct'},
//    'steps': 20000,
//    'wandb': {'enable': False, 'project': 'lerobot'}}
//
// Every element but a container's last is followed by `,` and the line break comes after it, so the dump
// ends at the first line that does not end with a comma. The run's dataset (`dataset.repo_id`, 2024:
// `dataset_repo_id`) and the freezing its policy block asks for are read from the whole dict, with the same
// rule as a checkpoint's train_config.json (../rundir/train-config.ts). Pure; never throws.
import type { RunEventBody } from './types';
import { trainConfigFromTree } from '../rundir/train-config';
import { strategyFromFreezing } from '../rundir/readers';

/** A continuation line of the dump: a `'key': …` entry, or a bare value of a wrapped list (`  480,`). */
const KEY_LINE = /^ +[[{(]*(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"): /;
const VALUE_LINE = /^ +[[{(]*(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|-?\d[\d.]*(?:e[-+]?\d+)?|True|False|None|-?inf|nan|<[^<>]*>)[\]})]*,?$/;

/** A printed config longer than this is not read (a dump is a few kilobytes; parser state stays small). */
export const MAX_CONFIG_DUMP = 64 * 1024;

/** The policy keys that say how the vision encoder is trained: without any, the strategy stays unknown. */
const FREEZING_KEYS = [
  'freeze_vision_encoder',
  'train_expert_only',
  'unfreeze_vision_layers',
  'freeze_vision_layers',
  'freeze_vision_ratio',
];

export function isConfigContinuation(text: string): boolean {
  return KEY_LINE.test(text) || VALUE_LINE.test(text);
}

/** The dump is complete after a line that does not end with a comma. */
export function endsConfigDump(text: string): boolean {
  return !text.trimEnd().endsWith(',');
}

type Obj = Record<string, unknown>;
const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The events a complete printed config yields: its dataset, and the config with the strategy it asks for. */
export function printedConfigEvents(text: string): RunEventBody[] {
  const tree = parsePythonLiteral(text);
  if (!isObj(tree)) return [];
  const config = trainConfigFromTree(tree);
  const dataset = config.settings.dataset ?? (typeof tree['dataset_repo_id'] === 'string' ? tree['dataset_repo_id'] : undefined);
  const policy = isObj(tree['policy']) ? tree['policy'] : {};
  const asksFreezing = FREEZING_KEYS.some((key) => key in policy);
  // Only what the log prints nowhere else: its own batch size, lr and steps are the run's columns already,
  // and settings that are columns would read as "filled in by a config" when a checkpoint's config replaces
  // this one (ingest/store/table-writers.ts writeConfigs).
  const settings = config.settings.seed === undefined ? {} : { seed: config.settings.seed };
  const events: RunEventBody[] = [];
  if (dataset !== undefined && dataset !== '') events.push({ type: 'run_info', info: { dataset } });
  events.push({
    type: 'config',
    tree,
    overrides: [],
    strategy: asksFreezing && config.freezing !== null ? strategyFromFreezing(config.freezing) : null,
    settings: dataset === undefined ? settings : { ...settings, dataset },
    // Below any checkpoint's train_config.json (rank = its step): the newest checkpoint's config wins.
    rank: 0,
  });
  return events;
}

// ---------------------------------------------------------------------------------------------
// Python literals as pformat prints them: dict, list, tuple, str (adjacent literals concatenated), int,
// float, inf/nan, True/False/None; anything else (an enum's `<FeatureType.VISUAL: 'VISUAL'>`, a
// `PosixPath('…')`) is kept as its text.

/** The value of a Python literal, or undefined when the text is not one. */
export function parsePythonLiteral(text: string): unknown {
  const reader = new LiteralReader(text);
  try {
    const value = reader.value(0);
    reader.space();
    return reader.done() ? value : undefined;
  } catch {
    return undefined;
  }
}

const MAX_DEPTH = 64;
const CLOSER: Record<string, string> = { '{': '}', '[': ']', '(': ')' };

class LiteralReader {
  private at = 0;
  constructor(private readonly text: string) {}

  done(): boolean {
    return this.at >= this.text.length;
  }

  space(): void {
    while (this.at < this.text.length && /\s/.test(this.text[this.at]!)) this.at++;
  }

  private fail(): never {
    throw new Error(`not a Python literal at ${this.at}`);
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail();
    this.space();
    const c = this.text[this.at];
    if (c === undefined) this.fail();
    if (c === '{' || c === '[' || c === '(') return this.container(c, depth);
    if (c === "'" || c === '"') return this.strings();
    if (c === '<') return this.bracketed();
    const word = /^(?:-?(?:\d[\d_]*\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|inf)|nan|True|False|None)(?![\w.])/.exec(
      this.text.slice(this.at),
    );
    if (word) {
      this.at += word[0].length;
      const w = word[0];
      if (w === 'True') return true;
      if (w === 'False') return false;
      if (w === 'None') return null;
      if (w === 'nan') return null;
      if (w === 'inf' || w === '-inf') return null;
      const n = Number(w.replaceAll('_', ''));
      return Number.isFinite(n) ? n : this.fail();
    }
    return this.opaque();
  }

  private container(open: '{' | '[' | '(', depth: number): unknown {
    const close = CLOSER[open]!;
    this.at++;
    const isDict = open === '{';
    const dict: Obj = {};
    const list: unknown[] = [];
    let comma = false;
    for (;;) {
      this.space();
      if (this.text[this.at] === close) {
        this.at++;
        // `(x)` without a comma is x in parentheses (pformat wraps a long string so), not a tuple
        if (open === '(' && !comma && list.length === 1) return list[0];
        return isDict ? dict : list;
      }
      const item = this.value(depth + 1);
      this.space();
      if (isDict) {
        if (this.text[this.at] !== ':') this.fail();
        this.at++;
        dict[String(item)] = this.value(depth + 1);
        this.space();
      } else {
        list.push(item);
      }
      const next = this.text[this.at];
      if (next === ',') {
        this.at++;
        comma = true;
      } else if (next !== close) this.fail();
    }
  }

  /** One string literal, or several adjacent ones (pformat splits long strings that way). */
  private strings(): string {
    let out = this.string();
    for (;;) {
      const mark = this.at;
      this.space();
      const c = this.text[this.at];
      if (c !== "'" && c !== '"') {
        this.at = mark;
        return out;
      }
      out += this.string();
    }
  }

  private string(): string {
    const quote = this.text[this.at]!;
    this.at++;
    let out = '';
    for (;;) {
      const c = this.text[this.at];
      if (c === undefined || c === '\n') this.fail();
      this.at++;
      if (c === quote) return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.text[this.at++];
      if (e === undefined) this.fail();
      if (e === 'n') out += '\n';
      else if (e === 't') out += '\t';
      else if (e === 'r') out += '\r';
      else if (e === 'x' || e === 'u' || e === 'U') {
        const size = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = this.text.slice(this.at, this.at + size);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== size) this.fail();
        out += String.fromCodePoint(Number.parseInt(hex, 16));
        this.at += size;
      } else out += e;
    }
  }

  /** `<…>` (an object's repr), kept as its text. */
  private bracketed(): string {
    const end = this.text.indexOf('>', this.at);
    if (end === -1) this.fail();
    const raw = this.text.slice(this.at, end + 1);
    this.at = end + 1;
    return raw;
  }

  /** Anything else (`PosixPath('x')`, a bare name) up to the next `,` or closer outside brackets, as text. */
  private opaque(): string {
    const start = this.at;
    let depth = 0;
    while (this.at < this.text.length) {
      const c = this.text[this.at]!;
      if (c === "'" || c === '"') {
        this.string();
        continue;
      }
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') {
        if (depth === 0) break;
        depth--;
      } else if ((c === ',' || c === ':') && depth === 0) break;
      this.at++;
    }
    const raw = this.text.slice(start, this.at).trim();
    if (raw === '') this.fail();
    return raw;
  }
}
