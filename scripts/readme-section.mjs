// Replaces a generated section of README.md: the lines between `<!-- npm run <name>: table -->`
// and `<!-- npm run <name>: end -->`, which npm run bench and npm run size keep current.
import { readFileSync, writeFileSync } from 'node:fs';

export function writeReadmeSection(name, text) {
  const start = `<!-- npm run ${name}: table -->`, end = `<!-- npm run ${name}: end -->`;
  const readme = readFileSync('README.md', 'utf8');
  const from = readme.indexOf(start), to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md lacks the ${start} ... ${end} markers`);
  writeFileSync('README.md', `${readme.slice(0, from + start.length)}\n${text}\n${readme.slice(to)}`);
}
