#!/usr/bin/env bash
# Makes packages/reports/assets/fonts/DejaVuSans-chart-subset.ttf and its .json: DejaVu Sans (Debian's
# fonts-dejavu-core) cut down to the characters charts use, with every layout table kept for them, so resvg draws
# those characters pixel for pixel as with the whole font (resvg reads its font file again for each glyph it draws:
# a 124 KB file instead of a 760 KB one renders a chart in about 0.7 of the time). The .json names the characters
# kept and the sha256 of the font it was cut from: the subset is used only where the installed font is that very file
# (render-chart-in-process.ts). Run it again when Debian's font changes; it needs fontTools (pip install fonttools).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
source_font="${1:-/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf}"
out="$here/assets/fonts/DejaVuSans-chart-subset"
# ASCII, Latin-1 and Latin Extended-A, Greek, general punctuation, super- and subscripts, the euro, arrows,
# mathematical operators and geometric shapes
ranges='0x20-0x7e 0xa0-0x17f 0x391-0x3a9 0x3b1-0x3c9 0x2010-0x2027 0x2030-0x203a 0x2070-0x209c 0x20ac-0x20ac 0x2190-0x2199 0x2200-0x22ff 0x25a0-0x25ff'
unicodes=$(for range in $ranges; do printf 'U+%04X-%04X,' "$((${range%-*}))" "$((${range#*-}))"; done)
pyftsubset "$source_font" --unicodes="${unicodes%,}" --layout-features='*' --glyph-names --notdef-outline \
  --name-IDs='*' --name-languages='*' --output-file="$out.ttf.tmp"
mv "$out.ttf.tmp" "$out.ttf"
python3 - "$source_font" "$out.json" $ranges <<'PY'
import hashlib, json, sys
from fontTools.ttLib import TTFont
source, target, *ranges = sys.argv[1:]
cmap = TTFont(target.replace('.json', '.ttf')).getBestCmap()
# the code points the subset draws: those of the ranges asked for that the font has
kept = sorted(code for code in cmap)
spans = []
for code in kept:
    if spans and spans[-1][1] == code - 1: spans[-1][1] = code
    else: spans.append([code, code])
with open(source, 'rb') as font: digest = hashlib.sha256(font.read()).hexdigest()
json.dump({'madeFrom': {'file': source, 'sha256': digest}, 'codePoints': spans}, open(target + '.tmp', 'w'), indent=None)
open(target + '.tmp', 'a').write('\n')
PY
mv "$out.json.tmp" "$out.json"
echo "wrote $out.ttf ($(wc -c < "$out.ttf") bytes) and $out.json"
