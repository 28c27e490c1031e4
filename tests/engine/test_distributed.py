"""Joining and leaving torchrun's process group (``d2iqa.mm_common.runner.distributed``)."""
import socket

import pytest
import torch.distributed as dist

from d2iqa.mm_common.runner import distributed


@pytest.fixture
def one_rank(monkeypatch):
    """torchrun's environment for a job of one process."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    for name, value in {'RANK': '0', 'WORLD_SIZE': '1', 'LOCAL_RANK': '0',
                        'MASTER_ADDR': '127.0.0.1', 'MASTER_PORT': str(port)}.items():
        monkeypatch.setenv(name, value)
    yield
    if dist.is_initialized():
        dist.destroy_process_group()


def test_one_process_joins_nothing():
    with distributed('none', cuda=False) as local_rank:
        assert local_rank == 0 and not dist.is_initialized()


def test_the_group_is_left_on_exit(one_rank):
    with distributed('pytorch', cuda=False) as local_rank:
        assert local_rank == 0
        assert dist.is_initialized() and dist.get_world_size() == 1
        assert dist.get_backend() == 'gloo'
    assert not dist.is_initialized()


def test_the_group_is_left_when_the_work_fails(one_rank):
    with pytest.raises(KeyError), distributed('pytorch', cuda=False):
        raise KeyError('a failing job')
    assert not dist.is_initialized()


def test_a_group_joined_by_the_caller_stays(one_rank):
    dist.init_process_group('gloo')
    with distributed('pytorch', cuda=False):
        pass
    assert dist.is_initialized()


def test_pytorch_launcher_without_torchrun_says_how(monkeypatch):
    monkeypatch.delenv('RANK', raising=False)
    with pytest.raises(RuntimeError, match='torchrun'), distributed('pytorch', cuda=False):
        pass
