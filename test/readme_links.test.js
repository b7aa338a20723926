// The README's links stay inside the repository and point at files that exist: a newcomer
// reading it offline (or from the npm tarball's checkout) never follows a dead or outside link.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

test('every README link is relative and resolves to a file or folder of the repository', () => {
  const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
  const bare = readme.match(/\bhttps?:\/\/\S+/g) || [];
  expect(bare).toEqual([]);
  expect(links.length).toBeGreaterThan(0);
  for (const link of links) {
    expect(link).not.toMatch(/^[a-z]+:/i);
    const target = path.resolve(root, decodeURIComponent(link.split('#')[0]));
    expect(target.startsWith(root + path.sep)).toBe(true);
    expect(fs.existsSync(target)).toBe(true);
  }
  // Paths written as code that leave the checkout (like ../shared/...) are links in disguise.
  expect(readme).not.toMatch(/`\.\.\//);
});

test('the LICENSE matches package.json', () => {
  const pkg = require('../package.json');
  const license = fs.readFileSync(path.join(root, 'LICENSE'), 'utf8');
  expect(pkg.license).toBe('MIT');
  expect(license).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} the tensorfold authors\n/);
});
