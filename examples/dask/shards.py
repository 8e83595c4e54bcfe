#!/usr/bin/env python3
"""Evaluate focal loss over shards on a Dask cluster, then merge the partial results.

Each task runs `focal loss --input SHARD --partial OUT.json` on a worker; the client merges
with `focal merge OUT-*.json`. The printed report equals that of one run over all the data,
bit for bit. Shards may be of any format focal reads (CSV, NDJSON, .npz, Parquet, Arrow …).

    python3 examples/dask/shards.py SHARD.npz ...                 # a LocalCluster on this machine
    python3 examples/dask/shards.py --scheduler tcp://host:8786 SHARD.npz ...   # a real cluster
    python3 examples/dask/shards.py SHARD.parquet ... --gamma 1 --activation sigmoid --json

Other options go to `focal loss` on every shard (--gamma, --alpha, --columns, --activation …),
except the report's (--json, --format, --precision), which go to `focal merge`.
Needs Debian's python3-distributed (apt-get install -y python3-distributed) and `focal` on
every worker's PATH (or --focal 'node /path/to/bin/focal.js').
"""
import argparse
import os
import shlex
import subprocess
import sys
import tempfile


def run_shard(focal, shard, out, extra):
    """One task: focal on one shard, its collectors' state written to `out`."""
    cmd = shlex.split(focal) + ['loss', '--input', shard, '--partial', out] + extra
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f'{shard}: focal exited {done.returncode}: {done.stderr.strip()}')
    return out


# options of the report: given to `focal merge`, with the number of values each takes
REPORT_OPTIONS = {'--json': 0, '--format': 1, '--precision': 1, '--no-color': 0}


def split_options(extra):
    """(options for `focal loss` on each shard, options for `focal merge`)."""
    shard, report = [], []
    i = 0
    while i < len(extra):
        name = extra[i].split('=', 1)[0]
        if name in REPORT_OPTIONS:
            takes = 0 if '=' in extra[i] else REPORT_OPTIONS[name]
            report += extra[i:i + 1 + takes]
            i += 1 + takes
        else:
            shard.append(extra[i])
            i += 1
    return shard, report


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('shards', nargs='+')
    ap.add_argument('--scheduler', help='address of a running Dask scheduler (default: a LocalCluster)')
    ap.add_argument('--focal', default='focal', help='the command that runs focal')
    ap.add_argument('--workers', type=int, default=2)
    ap.add_argument('--out', default=None, help='folder for the partial files (default: a temporary one)')
    args, extra = ap.parse_known_args(argv)
    shard_options, report_options = split_options(extra)

    from dask.distributed import Client, LocalCluster  # python3-distributed

    cluster = None if args.scheduler else LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True)
    client = Client(args.scheduler or cluster)
    out = args.out or tempfile.mkdtemp(prefix='focal-partials-')
    try:
        futures = [client.submit(run_shard, args.focal, os.path.abspath(s), os.path.join(out, f'part-{k:05d}.json'), shard_options, pure=False) for k, s in enumerate(args.shards)]
        partials = client.gather(futures)  # in shard order; the merge does not depend on it
    finally:
        client.close()
        if cluster:
            cluster.close()
    merged = subprocess.run(shlex.split(args.focal) + ['merge'] + partials + report_options, text=True)
    return merged.returncode


if __name__ == '__main__':
    sys.exit(main())
