"""Prepare an MMEngine config for the train / test tools (the logic the tools must not hold)."""
import contextlib
import datetime
import os
import subprocess

import torch
from mmengine.config import Config, DictAction


def add_runner_arguments(parser):
    """The options ``tools/train.py`` and ``tools/test.py`` share (MMEngine conventions)."""
    parser.add_argument('--work-dir', help='where logs, metrics and checkpoints go')
    parser.add_argument('--amp', action='store_true', help='automatic mixed precision')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, e.g. train_cfg.max_iters=100')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher (pytorch: torchrun)')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    return parser


def parse_runner_arguments(parser):
    """Parse the tool's arguments and export LOCAL_RANK as launchers expect."""
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def _init_cpu_process_group():
    """Join torchrun's process group with gloo.

    MMEngine's own initialisation calls ``torch.cuda.set_device``, which a CPU build of torch
    does not have; with the group already initialised, the Runner skips that step.
    """
    import torch.distributed as dist
    if not dist.is_initialized():
        dist.init_process_group(backend='gloo')


def _slurm_environment():
    """torch.distributed's environment variables from SLURM's (``srun`` starts the ranks)."""
    try:
        rank, tasks = int(os.environ['SLURM_PROCID']), int(os.environ['SLURM_NTASKS'])
    except KeyError as exc:
        raise RuntimeError(f'--launcher slurm needs the SLURM variables that srun sets '
                           f'({exc.args[0]} is missing): start the job with srun') from None
    os.environ['RANK'], os.environ['WORLD_SIZE'] = str(rank), str(tasks)
    os.environ['LOCAL_RANK'] = os.environ.get('SLURM_LOCALID', '0')
    tasks_per_node = os.environ.get('SLURM_NTASKS_PER_NODE', '').split('(')[0]
    os.environ['LOCAL_WORLD_SIZE'] = tasks_per_node or str(tasks)
    if 'MASTER_ADDR' not in os.environ:
        os.environ['MASTER_ADDR'] = subprocess.getoutput(
            f'scontrol show hostname {os.environ["SLURM_NODELIST"]} | head -n1')
    os.environ.setdefault('MASTER_PORT', '29500')


@contextlib.contextmanager
def distributed(launcher, *, cuda, timeout=datetime.timedelta(hours=24)):
    """Join the process group of a job started by torchrun (``'pytorch'``) or ``srun``, and
    leave it on exit.

    Leaving matters: a gloo group still alive when the interpreter exits can abort the process
    ("terminate called without an active exception"), and the launcher then reports the rank
    as failed although its work is done.

    Parameters
    ----------
    launcher : {'none', 'pytorch', 'slurm'}
        ``'none'``: one process, nothing to join.
    cuda : bool
        NCCL, with this rank on GPU ``LOCAL_RANK``; else gloo (CPU).
    timeout : datetime.timedelta
        How long a rank waits for the others at a collective step (a batch job's ranks may
        finish their shares hours apart).

    Yields
    ------
    int
        This process's local rank (its GPU index with ``cuda``).
    """
    import torch.distributed as dist

    if launcher == 'none':
        yield 0
        return
    if launcher == 'slurm':
        _slurm_environment()
    elif launcher != 'pytorch':
        raise ValueError(f"launcher must be 'none', 'pytorch' or 'slurm', got {launcher!r}")
    if 'RANK' not in os.environ:
        raise RuntimeError(f'--launcher {launcher} needs RANK, WORLD_SIZE, MASTER_ADDR and '
                           'MASTER_PORT: start the processes with torchrun (or srun for slurm)')
    local_rank = int(os.environ.get('LOCAL_RANK', 0))
    if cuda:
        torch.cuda.set_device(local_rank)
    joined_here = not dist.is_initialized()
    if joined_here:
        dist.init_process_group(backend='nccl' if cuda else 'gloo', timeout=timeout)
    try:
        yield local_rank
    finally:
        if joined_here and dist.is_initialized():
            dist.destroy_process_group()


def prepare_config(config, *, work_dir=None, cfg_options=None, launcher='none', amp=False,
                   resume=None, checkpoint=None, backbone_checkpoint=None):
    """Load a config file and apply the command-line choices of ``tools/train.py`` / ``test.py``.

    Parameters
    ----------
    config : str
        Path of the config file.
    work_dir : str, optional
        Where logs and checkpoints go; default ``work_dirs/<config name>``.
    cfg_options : dict, optional
        ``key.sub=value`` overrides (mmengine's ``DictAction``).
    launcher : str
        ``'none'`` (one process) or ``'pytorch'`` (torchrun), ``'slurm'``, ``'mpi'``. Without a
        GPU the distributed backend becomes gloo, so that several CPU processes can train (with
        ``'pytorch'`` the process group is joined here).
    amp : bool
        Automatic mixed precision (float16 on GPU, bfloat16 on CPU).
    resume : str, optional
        ``'auto'`` (latest checkpoint in the work dir) or a checkpoint path to resume from.
    checkpoint : str, optional
        Weights to load for testing.
    backbone_checkpoint : str, optional
        A local pre-trained backbone file (e.g. an ImageNet ResNet-50); nothing is downloaded.

    Returns
    -------
    mmengine.config.Config
    """
    cfg = Config.fromfile(config)
    cfg.launcher = launcher
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    cfg.work_dir = work_dir or cfg.get('work_dir') or os.path.join(
        'work_dirs', os.path.splitext(os.path.basename(config))[0])
    if not torch.cuda.is_available():
        cfg.env_cfg.setdefault('dist_cfg', {})['backend'] = 'gloo'
        if launcher == 'pytorch':
            _init_cpu_process_group()
            # DDP over CPU modules takes no device ids (MMEngine's default names the GPU).
            cfg.model_wrapper_cfg = dict(
                type='MMDistributedDataParallel', device_ids=None, broadcast_buffers=False,
                find_unused_parameters=cfg.get('find_unused_parameters', False))
    if amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.loss_scale = 'dynamic'
        if not torch.cuda.is_available():
            cfg.optim_wrapper.dtype = 'bfloat16'
    if resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif resume:
        cfg.resume, cfg.load_from = True, resume
    if checkpoint:
        if not os.path.isfile(checkpoint):
            raise FileNotFoundError(f'checkpoint {checkpoint} does not exist')
        cfg.load_from = checkpoint
    load_from = cfg.get('load_from')
    if load_from and not cfg.get('resume') and '://' not in load_from \
            and not os.path.isfile(load_from):
        raise FileNotFoundError(
            f'{config} starts from load_from={load_from}, which does not exist (relative paths '
            'are read from the current folder): run from the repository root, or pass '
            '--cfg-options load_from=PATH')
    if backbone_checkpoint:
        if not os.path.isfile(backbone_checkpoint):
            raise FileNotFoundError(f'backbone checkpoint {backbone_checkpoint} does not exist '
                                    '(pre-trained weights come only from a local file)')
        cfg.model.backbone.init_cfg = dict(type='Pretrained', checkpoint=backbone_checkpoint)
    return cfg
