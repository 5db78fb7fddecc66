// Fails (exit 1, one `file:line: problem` per finding) when a source or doc file points at something
// a clone does not contain, so every reference in a comment or README can be followed from the repo:
// - a citation of a document outside the repository, a section sign, a planning note or a tracker
//   number (see FORBIDDEN below);
// - `docs/<file>.md#<anchor>` (from any file) or a relative Markdown link `<file>.md#<anchor>` /
//   `#<anchor>` (from a Markdown file) whose file or anchor does not exist. Anchors are GitHub's
//   heading slugs, or an explicit `<a id="…">`;
// - a `.md` file named in a source file that is neither at that path from the repository root nor
//   from the citing file's folder (a bare README.md or CHANGELOG.md is fine).
// Files: what git tracks plus untracked files it does not ignore, minus node_modules, dist,
// pnpm-lock.yaml and .changeset/. Usage: `node .ci/check-doc-references.mjs` from anywhere.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Written so that this file does not match its own patterns.
const FORBIDDEN = [
  { pattern: /\u00a7/, reason: 'section sign: cite docs/<file>.md#<anchor> or a public URL instead' },
  { pattern: /\.\.\/shared\b/, reason: 'points outside the repository' },
  { pattern: /api-pla[n]/i, reason: 'cites a planning note' },
  { pattern: /\bissues? #?\d/i, reason: 'cites a tracker number: say what the code does and why instead' },
];

const EXCLUDED = [/(^|\/)node_modules\//, /(^|\/)dist\//, /^pnpm-lock\.yaml$/, /^\.changeset\//];

/** Repository-relative paths of the files to check. */
function listFiles() {
  let files;
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    files = out.split('\0').filter((file) => file !== '');
  } catch {
    files = walk('');
  }
  return [...new Set(files)].filter((file) => !EXCLUDED.some((pattern) => pattern.test(file))).sort();
}

/** Without git (an unpacked tarball): every file below the root except build output and .git. */
function walk(dir) {
  const found = [];
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const relative = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!['.git', 'node_modules', 'dist', '.turbo', 'coverage'].includes(entry.name)) found.push(...walk(relative));
    } else if (entry.isFile()) {
      found.push(relative);
    }
  }
  return found;
}

/** The text of a file, or undefined for a binary or missing one. */
function readText(file) {
  const absolute = path.join(root, file);
  if (!existsSync(absolute) || !statSync(absolute).isFile()) return undefined;
  const buffer = readFileSync(absolute);
  if (buffer.subarray(0, 8000).includes(0)) return undefined;
  return buffer.toString('utf8');
}

/** GitHub's slug of a heading's text: lowercase, punctuation dropped except `-`, spaces to `-`. */
function slugify(heading) {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

const anchorCache = new Map();

/** Every anchor a Markdown file defines: heading slugs (with GitHub's -1, -2 for repeats) and ids. */
function anchorsOf(file) {
  if (anchorCache.has(file)) return anchorCache.get(file);
  const anchors = new Set();
  const text = readText(file) ?? '';
  const seen = new Map();
  let fence;
  for (const line of text.split('\n')) {
    const fenceMatch = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fenceMatch) {
      if (fence === undefined) fence = fenceMatch[1][0];
      else if (fenceMatch[1][0] === fence) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const base = slugify(heading[1]);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      anchors.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const id of line.matchAll(/<[a-z][^>]*\s(?:id|name)="([^"]+)"/gi)) anchors.add(id[1]);
  }
  anchorCache.set(file, anchors);
  return anchors;
}

const problems = [];
const report = (file, line, message) => problems.push(`${file}:${line}: ${message}`);

/** Checks that `target` (repository-relative) exists and, when given, defines `anchor`. */
function checkTarget(file, line, cited, target, anchor) {
  const absolute = path.join(root, target);
  if (!existsSync(absolute)) {
    report(file, line, `${cited}: ${target} does not exist`);
    return;
  }
  if (anchor === undefined || anchor === '') return;
  if (!target.endsWith('.md') || statSync(absolute).isDirectory()) return;
  if (!anchorsOf(target).has(anchor)) report(file, line, `${cited}: no heading or id '${anchor}' in ${target}`);
}

// `docs/<file>.md` with an optional `#anchor`, alone or behind `./` / `../` segments; not the tail
// of a longer path (a `docs` folder inside a package).
const DOCS_CITATION = /(?<![\w/.-])((?:\.{1,2}\/)*)docs\/([\w.-]+\.md)(?:#([\w-]*))?/g;
// A Markdown file named in a source file (a comment citing a note by file name): it must be in the repo.
const MARKDOWN_FILE_NAME = /(?<![\w./<>-])((?:\.{1,2}\/)*[\w./-]*[\w-]\.md)(?![\w-])/g;
// Names so common that a bare mention means "the README next to this code", not a path.
const GENERIC_NAMES = new Set(['README.md', 'CHANGELOG.md']);
// A Markdown link target that is a relative `.md` file and/or an anchor.
const MARKDOWN_LINK = /\]\(\s*<?([^()\s<>]*?)(?:#([^()\s<>]*))?>?(?:\s+"[^"]*")?\s*\)/g;

for (const file of listFiles()) {
  const text = readText(file);
  if (text === undefined) continue;
  const isMarkdown = file.endsWith('.md');
  const directory = path.posix.dirname(file);
  let fence;
  text.split('\n').forEach((line, index) => {
    const lineNumber = index + 1;
    // Files this line cites that were checked already (one report per citation, not one per rule).
    const checked = new Set();
    for (const { pattern, reason } of FORBIDDEN) {
      const match = pattern.exec(line);
      if (match) report(file, lineNumber, `'${match[0]}': ${reason}`);
    }

    for (const match of line.matchAll(DOCS_CITATION)) {
      const [cited, prefix, name, anchor] = match;
      // With `../` segments (a nested README's link) the path resolves from the citing file; without
      // them (the form code comments use) from the repository root.
      const target =
        prefix === '' ? `docs/${name}` : path.posix.normalize(path.posix.join(directory, prefix, 'docs', name));
      if (target !== `docs/${name}`) {
        report(file, lineNumber, `${cited}: resolves to ${target}, not to the repository's docs/`);
        continue;
      }
      checked.add(target);
      checkTarget(file, lineNumber, cited, target, anchor);
    }

    if (!isMarkdown) {
      for (const match of line.matchAll(MARKDOWN_FILE_NAME)) {
        const named = match[1];
        if (GENERIC_NAMES.has(named)) continue;
        const candidates = [path.posix.normalize(named), path.posix.normalize(path.posix.join(directory, named))];
        if (candidates.some((candidate) => checked.has(candidate))) continue;
        if (!candidates.some((candidate) => !candidate.startsWith('../') && existsSync(path.join(root, candidate)))) {
          report(file, lineNumber, `${named}: no such file in the repository (cite docs/<file>.md#<anchor>)`);
        }
      }
      return;
    }
    const fenceMatch = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fenceMatch) {
      if (fence === undefined) fence = fenceMatch[1][0];
      else if (fenceMatch[1][0] === fence) fence = undefined;
      return;
    }
    if (fence !== undefined) return;
    for (const match of line.replace(/`[^`]*`/g, '').matchAll(MARKDOWN_LINK)) {
      const [, target, anchor] = match;
      const cited = anchor === undefined ? target : `${target}#${anchor}`;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // a URL (https:, mailto:)
      if (target === '') {
        if (anchor !== undefined) checkTarget(file, lineNumber, cited, file, anchor);
        continue;
      }
      if (!target.endsWith('.md') && anchor === undefined) continue;
      const resolved = path.posix.normalize(path.posix.join(directory, decodeURI(target)));
      if (checked.has(resolved)) continue;
      if (resolved.startsWith('../')) {
        report(file, lineNumber, `${cited}: points outside the repository`);
        continue;
      }
      checkTarget(file, lineNumber, cited, resolved, anchor);
    }
  });
}

if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(
    `\n${problems.length} reference(s) a clone cannot follow. Cite docs/<file>.md#<anchor> (see docs/README.md) or a public URL.`,
  );
  process.exit(1);
}
console.log('doc references: ok');
