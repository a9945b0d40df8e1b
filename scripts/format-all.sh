#!/usr/bin/env bash
# Formats the whole tree once: Prettier rewrites layout (.prettierrc.json), then ESLint applies its
# safe autofixes. Afterwards `npm run lint && npm run format:check` pass. Run from a clean checkout
# and commit the result as its own formatting-only commit.
set -euo pipefail
cd "$(dirname "$0")/.."
npx prettier --write --log-level warn .
npx eslint --fix .
# ESLint's fixes can change layout; Prettier has the last word.
npx prettier --write --log-level warn .
git status --short | wc -l | xargs echo 'files changed:'
