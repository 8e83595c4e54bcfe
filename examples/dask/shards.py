#!/usr/bin/env python3
"""Evaluate focal loss over shards on a Dask cluster, then merge the partial results.

Each task runs `focal loss --input SHARD --partial OUT.json` on a worker; the client merges
with `focal merge OUT-*.json`. The printed report equals that of one run over all the data,
bit for bit.

    python3 examples/dask/shards.py SHARD.npz ...                 # a LocalCluster on this machine
    python3 examples/dask/shards.py --scheduler tcp://host:8786 SHARD.npz ...   # a real cluster

Needs Debian's python3-distributed (apt-get install -y python3-distributed) and `focal` on
every worker's PATH (or --focal 'node /path/to/bin/focal.js').
NOTE: `--partial` and `focal merge` are wired into the CLI separately (issue 9); until then this
example cannot run.
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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('shards', nargs='+')
    ap.add_argument('--scheduler', help='address of a running Dask scheduler (default: a LocalCluster)')
    ap.add_argument('--focal', default='focal', help='the command that runs focal')
    ap.add_argument('--workers', type=int, default=2)
    ap.add_argument('--out', default=None, help='folder for the partial files (default: a temporary one)')
    args, extra = ap.parse_known_args(argv)

    from dask.distributed import Client, LocalCluster  # python3-distributed

    cluster = None if args.scheduler else LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True)
    client = Client(args.scheduler or cluster)
    out = args.out or tempfile.mkdtemp(prefix='focal-partials-')
    try:
        futures = [client.submit(run_shard, args.focal, os.path.abspath(s), os.path.join(out, f'part-{k:05d}.json'), extra, pure=False) for k, s in enumerate(args.shards)]
        partials = client.gather(futures)  # in shard order; the merge does not depend on it
    finally:
        client.close()
        if cluster:
            cluster.close()
    merged = subprocess.run(shlex.split(args.focal) + ['merge'] + partials, text=True)
    return merged.returncode


if __name__ == '__main__':
    sys.exit(main())
