# Peer for bench/run.mjs: mean focal loss of a p,y CSV (γ = 2, α = 0.25), the naive formula.
NR > 1 { p = $1; y = $2; if (y == 1) { pt = p; a = 0.25 } else { pt = 1 - p; a = 0.75 }; ce = -log(pt); fl = a * (1 - pt) ^ 2 * ce; s += fl; n++ }
END { printf "%.17g %d\n", s / n, n }
