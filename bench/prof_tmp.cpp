#include <chrono>
#include <cstdio>
#include <torch/torch.h>
#include "engine/nf4.h"
using clk = std::chrono::steady_clock;
#define T(label, expr) { auto s = clk::now(); for (int i=0;i<3;++i) { expr; } std::printf("%-28s %8.1f ms\n", label, std::chrono::duration<double,std::milli>(clk::now()-s).count()/3); }
int main() {
  torch::set_num_threads(1);
  torch::NoGradGuard ng;
  torch::Tensor w = torch::randn({2048, 5632});
  torch::Tensor b = w.view({-1, 64});
  torch::Tensor absmax = b.abs().amax(1), n, c, c8, p, g, gi, lo, thr;
  const int K = 4096;
  torch::Tensor loT = torch::randint(0, 16, {K+1}, torch::kUInt8);
  torch::Tensor thrT = torch::rand({K+1});
  torch::Tensor half = torch::full({}, K/2.0f);
  T("abs", b.abs());
  T("div", n = b / absmax.unsqueeze(1));
  T("bucketize int32", c = torch::bucketize(n, ft::nf4Thresholds(), true));
  T("addcmul", g = torch::addcmul(half, n, half));
  T("to int32", gi = g.to(torch::kInt32));
  T("to int64", g.to(torch::kLong));
  T("lo gather int32", lo = loT.index_select(0, gi.view(-1)));
  T("thr gather int32", thr = thrT.index_select(0, gi.view(-1)));
  T("gt+add", c8 = lo.add(n.view(-1).gt(thr)));
  T("embedding thr", torch::embedding(thrT.unsqueeze(1), gi.view(-1).to(torch::kLong)));
  torch::Tensor q = ft::nf4Quantize(w,false).codes;
  torch::Tensor pt = torch::rand({256,2});
  T("deq idxsel long", pt.index_select(0, q.to(torch::kLong)));
  T("deq idxsel int32", pt.index_select(0, q.to(torch::kInt32)));
  T("q to long", q.to(torch::kLong));
  T("deq full", ft::nf4Dequantize(ft::nf4Quantize(w,false)));
  T("quant full", ft::nf4Quantize(w,false));
}
