"""Check your torch op in five lines of pytest (docs/quickstart.md). CI runs this file."""
import torch.nn.functional as F
import ulpcheck


def test_swiglu_bf16():
    # vLLM's forward_native: silu(g) rounded to bf16, then the product: two roundings, 2.5 ULP.
    ulpcheck.assert_within_budget(lambda g, u: F.silu(g) * u, op="silu_and_mul", dtype="bf16", gate_up=True,
                                  max_ulp=2.5, abs_floor=2**-121, samples=100_000, device="cpu")


def test_router_bf16_logits():
    # A DeepSeek-V3 router with -inf group masking, fp32 scores: the oracle's expert sets.
    import torch

    def router(logits, bias, config):
        s = logits.float().sigmoid()
        choice = s + bias.float()
        groups = choice.view(-1, 8, 32).topk(2, dim=-1)[0].sum(-1)
        keep = torch.zeros_like(groups, dtype=torch.bool).scatter_(1, groups.topk(4, dim=-1)[1], True)
        ids = choice.masked_fill(~keep.repeat_interleave(32, dim=1), float("-inf")).topk(8, dim=-1)[1]
        w = s.gather(1, ids)
        return ids, w / w.sum(-1, keepdim=True) * config["routed_scaling_factor"]

    ulpcheck.assert_routing_within_budget(router, logits_dtype="bf16", tokens=2_000, claim={"weight_max_ulp": 17})
