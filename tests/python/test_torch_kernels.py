"""PyTorch's own kernels under ulpcheck, through the Python package: the activations and the
eager composites that inference engines use as their reference (vLLM's forward_native), and
DeepSeek-V3's router as Hugging Face's reference code writes it.

Each test states the claim it checks. Where a kernel misses the op's default budget (one
rounding of the exact value, docs/ops.md), the claim is the tightest round figure it meets,
and the figures measured are in the comment and in docs/python.md. A defect found in one
torch build is asserted as found there (so that a change shows), and the default budget is
asserted elsewhere.
"""

import pytest
import torch
import torch.nn.functional as F

import ulpcheck
from conftest import DEVICES

L = 7.0  # DeepSeek-V4's SwiGLU limit


def supports(device, dtype, fn, arity=1):
    """Whether this torch build runs fn on `dtype` tensors of `device` (torch 1.13 has no CPU
    fp16 SiLU or GELU); the test is skipped with the reason otherwise."""
    x = torch.zeros(2, arity, dtype={"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[dtype],
                    device=device)
    try:
        fn(*x.split(1, dim=1)) if arity == 2 else fn(x)
    except RuntimeError as e:
        pytest.skip(f"torch {torch.__version__} on {device}: {str(e).splitlines()[0]}")


def silu_and_mul(g, u):
    return F.silu(g) * u


def silu_and_mul_clamp(g, u, limit):  # vLLM's forward_native of the clamped SwiGLU
    return F.silu(g.clamp(max=limit)) * u.clamp(-limit, limit)


def gelu_and_mul(g, u):
    return F.gelu(g) * u


def gelu_tanh(x):
    return F.gelu(x, approximate="tanh")


def gelu_tanh_and_mul(g, u):
    return F.gelu(g, approximate="tanh") * u


def samples(op, dtype):
    # Unary 16-bit ops are checked on all 65536 inputs; the rest on 200000 random ones.
    return {} if dtype != "fp32" and not op.endswith("_and_mul") and "clamp" not in op else {"samples": 200_000}


GENERATION = "1.13" if torch.__version__.startswith("1.13") else "2"


def overflows_near_float_max(r):
    worst = r.worst[0]
    return worst["got"] in ("inf", "-inf") and abs(float(worst["x0"])) > 1e38


def negative_tail_gives_zero(r):
    worst = r.worst[0]
    return r.max_ulp_above_floor > 200 and float(worst["got"]) == 0.0 and -5.0 < float(worst["x0"]) < -3.0


#: What was found where a kernel misses its claim: (op, dtype, torch generation, device) ->
#: (what was found, a check that the result shows it). The test asserts the finding where
#: one is listed, so that a change in torch shows, and the claim everywhere else.
FINDINGS = {
    # torch 1.13 CPU: bf16 GELU returns -0 in part of the negative tail (x in about [-4.8,
    # -3.2], exact values down to -2e-3), up to 256 ULP: the tanh form on contiguous input,
    # the exact form on the strided gate slice of a composite.
    ("gelu_tanh", "bf16", "1.13", "cpu"): ("-0 in the negative tail", negative_tail_gives_zero),
    ("gelu_and_mul", "bf16", "1.13", "cpu"): ("-0 in the negative tail", negative_tail_gives_zero),
    ("gelu_tanh_and_mul", "bf16", "1.13", "cpu"): ("-0 in the negative tail", negative_tail_gives_zero),
    # torch 2.11 CPU: F.gelu overflows to inf for x above about 1.7e38 (fp32 and bf16),
    # where the exact gelu(x) = x is finite.
    ("gelu", "fp32", "2", "cpu"): ("inf near FLT_MAX", overflows_near_float_max),
    ("gelu", "bf16", "2", "cpu"): ("inf near FLT_MAX", overflows_near_float_max),
    ("gelu_and_mul", "fp32", "2", "cpu"): ("NaN and inf where the product is finite",
                                           lambda r: r.cases[0]["semantic_violations"] > 0),
    ("gelu_and_mul", "bf16", "2", "cpu"): ("NaN and inf where the product is finite",
                                           lambda r: r.cases[0]["semantic_violations"] > 0),
}


def check_claim(fn, op, dtype, device, arity, params, **budget):
    """Checks the claim, or the finding listed for this torch and device."""
    r = ulpcheck.check(fn, op, dtype, device, gate_up=arity == 2, **samples(op, dtype), **budget, **params)
    finding = FINDINGS.get((op, dtype, GENERATION, device))
    if finding:
        assert not r.passed, f"{finding[0]}: no longer found"
        assert finding[1](r), f"{finding[0]}: not what was found before\n{r.explanation}"
    else:
        assert r.passed, r.explanation
    return r


# (op, kernel, arity, parameters): the op's default fp32 budget.
FP32_CASES = [
    ("silu", F.silu, 1, {}),
    ("gelu", F.gelu, 1, {}),
    ("gelu_tanh", gelu_tanh, 1, {}),
    ("silu_and_mul", silu_and_mul, 2, {}),
    ("silu_and_mul_clamp", silu_and_mul_clamp, 2, {"limit": L}),
    ("gelu_and_mul", gelu_and_mul, 2, {}),
    ("gelu_tanh_and_mul", gelu_tanh_and_mul, 2, {}),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("op,fn,arity,params", FP32_CASES, ids=[c[0] for c in FP32_CASES])
def test_fp32_within_the_default_budget(op, fn, arity, params, device):
    # Claim: the op's default fp32 budget (2 to 6.5 ULP). Measured: at most 2.5 ULP outside
    # the floor region for the SiLU ops.
    supports(device, "fp32", fn if not params else (lambda g, u: fn(g, u, **params)), arity)
    check_claim(fn, op, "fp32", device, arity, params)


# bf16: (op, kernel, arity, parameters, claim in ULP; None for the op's default budget).
BF16_CASES = [
    # Not one rounding: 1.74 ULP at most (torch 1.13 CPU); claim 2.
    ("silu", F.silu, 1, {}, 2.0),
    ("gelu", F.gelu, 1, {}, None),
    ("gelu_tanh", gelu_tanh, 1, {}, None),
    # Two roundings (act(g) to bf16, then the product): SiLU 2.25 ULP at most, claim 2.5;
    # GELU 25 ULP in the negative tail (torch 2.11, CPU and CUDA), claim 32.
    ("silu_and_mul", silu_and_mul, 2, {}, 2.5),
    ("silu_and_mul_clamp", silu_and_mul_clamp, 2, {"limit": L}, 2.5),
    ("gelu_and_mul", gelu_and_mul, 2, {}, 32.0),
    ("gelu_tanh_and_mul", gelu_tanh_and_mul, 2, {}, 32.0),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("op,fn,arity,params,claim", BF16_CASES, ids=[c[0] for c in BF16_CASES])
def test_bf16_within_its_claim(op, fn, arity, params, claim, device):
    supports(device, "bf16", fn if not params else (lambda g, u: fn(g, u, **params)), arity)
    floor = 2.0 ** -21 if op.startswith("gelu") else 2.0 ** -121
    check_claim(fn, op, "bf16", device, arity, params, **({} if claim is None else {"max_ulp": claim, "abs_floor": floor}))


# --- DeepSeek-V3's router, as Hugging Face's modeling_deepseek_v3 MoEGate writes it


def hf_deepseek_v3_router(logits, bias, config):
    n_group, topk_group, topk = config["n_group"], config["topk_group"], config["topk"]
    experts = logits.shape[-1]
    scores = logits.float().sigmoid()
    scores_for_choice = scores + bias.float().unsqueeze(0)
    group_scores = scores_for_choice.view(-1, n_group, experts // n_group).topk(2, dim=-1)[0].sum(dim=-1)
    group_idx = torch.topk(group_scores, k=topk_group, dim=-1, sorted=False)[1]
    group_mask = torch.zeros_like(group_scores)
    group_mask.scatter_(1, group_idx, 1)
    score_mask = group_mask.unsqueeze(-1).expand(-1, n_group, experts // n_group).reshape(-1, experts)
    tmp_scores = scores_for_choice.masked_fill(~score_mask.bool(), 0.0)
    topk_idx = torch.topk(tmp_scores, k=topk, dim=-1, sorted=False)[1]
    topk_weight = scores.gather(1, topk_idx)
    if config["renormalize"]:
        topk_weight = topk_weight / (topk_weight.sum(dim=-1, keepdim=True) + 1e-20)
    return topk_idx, topk_weight * config["routed_scaling_factor"]


# The reference's arithmetic: fp32 scores and sums; ids from topk(sorted=False), so only
# the set counts; the 1e-20 in the sum keeps weights finite.
HF_CLAIM = {"arithmetic": "fp32", "sorted": False, "nan_weights_when_scores_vanish": False, "min_score_sum": 2.0 ** -40}


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("logits_dtype", ["fp32", "bf16"])
def test_hf_router_routes_like_the_oracle_with_checkpoint_biases(logits_dtype, device):
    # Claim: every expert set the oracle's, up to near-ties of fp32 arithmetic; weights within
    # 17 ULP (topk + 9). DeepSeek-V3's bias (N(2.5, 0.5^2)) keeps every biased score positive.
    r = ulpcheck.assert_routing_within_budget(hf_deepseek_v3_router, logits_dtype=logits_dtype, bias_dtype="fp32",
                                              device=device, tokens=2000, claim=dict(HF_CLAIM, weight_max_ulp=17.0),
                                              biases=["deepseek_v3"])
    assert r.batches


@pytest.mark.parametrize("device", DEVICES)
def test_hf_router_masks_groups_with_zero_which_negative_biased_scores_lose_to(device):
    # Found: masked_fill(..., 0.0) gives the experts of dropped groups a biased score of 0, so
    # where a kept expert's s + bias is negative (a bias around 0 or below), a dropped
    # expert outranks it: the oracle (and -inf masking, as SGLang and vLLM do) never picks it.
    # With a bias around -3, every biased score is negative.
    r = ulpcheck.check_routing(hf_deepseek_v3_router, logits_dtype="fp32", bias_dtype="fp32", device=device,
                               tokens=2000, claim=HF_CLAIM, biases=["normal:-3,0.5"])
    assert not r.passed
    assert "expert sets differ" in r.explanation
    case = r.batches[0]["cases"][0]
    assert case["mismatches"] == case["tokens"] == 2000  # every token: 2000 of 2000 on torch 1.13 CPU


# --- torch.compile of the gated composites (torch 2 and later)

COMPILED_CASES = [
    ("silu_and_mul", silu_and_mul, {}, 2.5),
    ("silu_and_mul_clamp", silu_and_mul_clamp, {"limit": L}, 2.5),
    ("gelu_and_mul", gelu_and_mul, {}, 32.0),
    ("gelu_tanh_and_mul", gelu_tanh_and_mul, {}, 32.0),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", ["bf16", "fp32"])
@pytest.mark.parametrize("op,fn,params,bf16_claim", COMPILED_CASES, ids=[c[0] for c in COMPILED_CASES])
def test_compiled_gated_op_within_its_claim(op, fn, params, bf16_claim, dtype, device):
    # Claim: what the eager composite is held to (bf16: 2.5 ULP for the SiLU ops, 32 for the
    # GELU ones; fp32: the default budget). Inductor fuses the composite into one kernel.
    if not hasattr(torch, "compile"):
        pytest.skip(f"torch {torch.__version__} has no torch.compile")
    compiled = torch.compile(fn, dynamic=True)
    floor = 2.0 ** -21 if op.startswith("gelu") else 2.0 ** -121
    budget = {"max_ulp": bf16_claim, "abs_floor": floor} if dtype == "bf16" else {}
    ulpcheck.assert_within_budget(compiled, op, dtype, device, gate_up=True, samples=200_000, **budget, **params)
