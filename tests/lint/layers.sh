#!/bin/sh
# Each file under hook/ includes only headers of its own layer and of the
# layers below it (hook/sources.mk: cli -> gate -> rules -> core -> base),
# always by their path from hook/ ("core/rule.h"), so the check can read it.
# Usage: tests/lint/layers.sh   (from the repository root); exit 1 on any
# include that reaches up or that names no layer.
set -eu
layers="cli gate rules core base"
for f in $(find hook -name '*.[ch]' | sort); do
  own=$(echo "$f" | cut -d/ -f2)
  # the layers this file may include: its own and every one after it
  allowed=$(echo "$layers" | tr ' ' '\n' | sed -n "/^$own\$/,\$p" | tr '\n' ' ')
  if [ -z "$allowed" ]; then
    echo "$f: not in a layer ($layers)"
    continue
  fi
  grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | while IFS= read -r line; do
    inc=$(echo "$line" | sed 's/.*include[[:space:]]*"\([^"]*\)".*/\1/')
    layer=${inc%%/*}
    case " $allowed " in
      *" $layer "*) ;;
      *) echo "$f:${line%%:*}: includes \"$inc\": a $own file may include only $allowed" ;;
    esac
  done
done | { if grep .; then exit 1; fi; }
