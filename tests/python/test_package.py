"""The Python package itself: what check, fuzz and check_routing hand a callable and take
back, how a callable's mistakes are reported, and that a planted bug fails (on the CPU; the
same calls take device="cuda")."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import ulpcheck


def exact_silu_and_mul(x):
    """silu(g) * u in float64, rounded to the dtype (through fp32 for 16-bit dtypes, whose
    double rounding stays under 0.501 ULP), NaN made canonical: torch's own NaN bits differ
    between its vectorized and scalar paths, which rows_are_independent would catch."""
    d = x.shape[1] // 2
    g, u = x[:, :d].double(), x[:, d:].double()
    y = (g / (1 + torch.exp(-g)) * u).to(x.dtype)
    return torch.where(torch.isnan(y), torch.full_like(y, math.nan), y)


def test_a_correct_kernel_passes_with_its_figures_and_markdown():
    r = ulpcheck.assert_within_budget(exact_silu_and_mul, "silu_and_mul", "bf16", samples=20_000, seed=5)
    assert r.passed and r.explanation == ""
    assert r.breaches == 0 and r.max_ulp_above_floor <= 0.501
    assert r.cases[0]["count"] == 20_000 and r.cases[0]["kernel"] == "python.exact_silu_and_mul"
    assert "python.exact_silu_and_mul" in r.markdown
    assert r.document["settings"]["seed"] == 5


def planted_silu_and_mul(x):
    """The planted bug: silu computed on the gate's magnitude, so negative gates are wrong."""
    d = x.shape[1] // 2
    return (F.silu(x[:, :d].float().abs()) * x[:, d:].float()).to(x.dtype)


def test_a_planted_bug_fails_with_the_explanation_in_the_assertion():
    with pytest.raises(AssertionError) as e:
        ulpcheck.assert_within_budget(planted_silu_and_mul, "silu_and_mul", "bf16", samples=5_000)
    text = str(e.value)
    assert "python.planted_silu_and_mul on silu_and_mul bf16" in text
    assert "first failing output" in text and "gate:" in text
    r = ulpcheck.check(planted_silu_and_mul, "silu_and_mul", "bf16", samples=5_000)
    assert not r.passed and r.breaches > 1_000
    assert r.worst and r.worst[0]["ulp_error"] > 100


def test_parameters_reach_the_callable_by_name():
    seen = []

    def clamp_kernel(g, u, limit):
        seen.append(limit)
        return (F.silu(g.double().clamp(max=limit)) * u.double().clamp(-limit, limit)).to(g.dtype)

    ulpcheck.assert_within_budget(clamp_kernel, "silu_and_mul_clamp", "fp32", samples=2_000, gate_up=True, limit=7.3)
    assert seen and all(v == np.float32(7.3) for v in seen)  # the fp32 value the oracle uses
    r = ulpcheck.check(clamp_kernel, "silu_and_mul_clamp", "fp32", samples=2_000, gate_up=True, limit=math.inf)
    assert r.passed and seen[-1] == math.inf


def test_a_kernel_that_writes_its_output_argument():
    def silu_and_mul_out(out, x):  # torch.ops._C.silu_and_mul's calling convention
        out.copy_(exact_silu_and_mul(x))

    ulpcheck.assert_within_budget(silu_and_mul_out, "silu_and_mul", "fp16", samples=5_000, out=True)


def test_an_out_kernel_that_writes_nothing_fails_on_the_poisoned_output():
    r = ulpcheck.check(lambda out, x: None, "silu_and_mul", "fp16", samples=1_000, out=True)
    assert not r.passed
    assert "NaN" in r.explanation or "nan" in r.explanation


@pytest.mark.parametrize("kernel,expected", [
    (lambda x: None, "returned None, expected a tensor of shape ["),
    (lambda x: x, "the result: shape ["),
    (lambda x: x[:, : x.shape[1] // 2].float(), "the result: dtype float32, expected bfloat16"),
    (lambda x: 3.0, "the result: returned float, expected a tensor"),
    (lambda x: 1 / 0, "ZeroDivisionError: division by zero"),
], ids=["none", "shape", "dtype", "not_a_tensor", "raises"])
def test_a_callables_mistake_is_that_kernels_error(kernel, expected):
    with pytest.raises(ulpcheck.KernelError) as e:
        ulpcheck.check(kernel, "silu_and_mul", "bf16", samples=100, name="python.mistaken")
    assert str(e.value).startswith("python.mistaken: run failed (code 1): "), str(e.value)
    assert expected in str(e.value), str(e.value)
    # The kernel was unregistered: its name is free for the next check.
    ulpcheck.check(exact_silu_and_mul, "silu_and_mul", "bf16", samples=100, name="python.mistaken")


def test_the_original_exception_is_chained():
    def raises(x):
        raise ValueError("kernel bug")

    with pytest.raises(ulpcheck.KernelError) as e:
        ulpcheck.check(raises, "silu", "fp32", samples=10)
    assert isinstance(e.value.__cause__, ValueError)


@pytest.mark.parametrize("call,expected", [
    (lambda: ulpcheck.check(F.silu, "selu"), "selu"),
    (lambda: ulpcheck.check(F.silu, "silu", "bf8"), "dtype='bf8'"),
    (lambda: ulpcheck.check(F.silu, "silu", device="tpu"), "device='tpu'"),
    (lambda: ulpcheck.check(F.silu, "silu", "fp32", samples=0), "request.samples"),
    (lambda: ulpcheck.check(F.silu, "silu", "fp32", alpha=1.0), "alpha"),
    (lambda: ulpcheck.check(F.silu, "silu", framework="tensorflow"), "framework='tensorflow'"),
    (lambda: ulpcheck.check_routing(F.silu, config={"experts": 7}), "experts"),
    (lambda: ulpcheck.check_routing(F.silu, claim={"fast": True}), "claim: unknown key 'fast'"),
], ids=["op", "dtype", "device", "samples", "param", "framework", "routing_config", "routing_claim"])
def test_bad_requests_name_what_is_wrong(call, expected):
    with pytest.raises((ulpcheck.UlpcheckError, ValueError)) as e:
        call()
    assert expected in str(e.value), str(e.value)


def test_fuzz_shrinks_a_planted_bug_and_prints_its_replay_token(capsys):
    r = ulpcheck.fuzz(planted_silu_and_mul, "silu_and_mul", "bf16", cases=50, properties=["within_budget"])
    assert not r.passed and r.replay_token
    assert f"replay={r.replay_token!r}" in capsys.readouterr().out
    again = ulpcheck.fuzz(planted_silu_and_mul, "silu_and_mul", "bf16", replay=r.replay_token, quiet=True)
    assert not again.passed and again.runs[0]["counterexample"] == r.runs[0]["counterexample"]
    assert ulpcheck.fuzz(exact_silu_and_mul, "silu_and_mul", "bf16", cases=30).passed


def test_numpy_arrays_work_too():
    def silu_numpy(x):
        with np.errstate(over="ignore", invalid="ignore"):  # exp(-x) overflows to inf for x < -709: silu -> -0
            xd = x.astype(np.float64)
            return (xd / (1 + np.exp(-xd))).astype(np.float32)

    r = ulpcheck.assert_within_budget(silu_numpy, "silu", "fp32", samples=5_000, framework="numpy")
    assert r.max_ulp_above_floor <= 0.5


def exact_router(logits, bias, config):
    """A router with -inf masking and float64 scores: the oracle's routing."""
    n_group, topk_group, topk = config["n_group"], config["topk_group"], config["topk"]
    s = torch.sigmoid(logits.double())
    choice = s + bias.double()
    experts = choice.shape[1]
    groups = choice.view(-1, n_group, experts // n_group).topk(2, dim=-1)[0].sum(-1)
    keep = torch.zeros_like(groups, dtype=torch.bool).scatter_(1, groups.topk(topk_group, dim=-1)[1], True)
    masked = choice.masked_fill(~keep.repeat_interleave(experts // n_group, dim=1), -math.inf)
    ids = masked.topk(topk, dim=-1)[1]
    w = s.gather(1, ids)
    w = w / w.sum(-1, keepdim=True) * config["routed_scaling_factor"]
    return ids, w.float()


def test_a_router_passes_and_one_ignoring_its_bias_fails():
    r = ulpcheck.assert_routing_within_budget(exact_router, logits_dtype="bf16", tokens=1_000,
                                              biases=["deepseek_v3"])
    assert r.batches[0]["cases"][0]["mismatches"] == 0

    def ignores_bias(logits, bias, config):
        return exact_router(logits, torch.zeros_like(bias), config)

    bad = ulpcheck.check_routing(ignores_bias, logits_dtype="bf16", tokens=1_000, biases=["deepseek_v3"])
    assert not bad.passed and "expert sets differ" in bad.explanation


def test_a_router_returning_the_wrong_shape_is_its_error():
    with pytest.raises(ulpcheck.KernelError) as e:
        ulpcheck.check_routing(lambda logits, bias: (logits[:, :3], logits[:, :3]), tokens=10)
    assert "ids: shape [10, 3], expected [10, 8]" in str(e.value)
