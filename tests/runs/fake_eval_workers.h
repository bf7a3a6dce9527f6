#pragma once
// Fake `ftstudio-cli eval ... --events jsonl` workers (shell scripts) for the evaluation tests. Kept
// out of the test sources because moc cannot parse raw strings with custom delimiters.

namespace ft::test {

// Progress, an example, a result and the summary; the arguments go to args.txt beside the script.
inline constexpr char kFinishingEvalWorker[] = R"SH(
echo "$@" > "$(dirname "$0")/args.txt"
echo 'not json'
echo '{"event":"started","target":"run","run_id":1,"examples":2}'
echo '{"event":"progress","target":"run","phase":"loss","done":1,"total":1}'
echo '{"event":"progress","target":"run","phase":"generation","done":2,"total":2}'
echo '{"event":"result","target":"run","metrics":{"loss":1.5,"bleu":0.25,"rouge-l":0.5},"stored":true,"evaluation_id":3}'
echo '{"event":"finished","results":[{"target":"run","metrics":{"loss":1.5,"bleu":0.25,"rouge-l":0.5}}]}'
)SH";

// Progress until `stop` arrives on stdin, then `cancelled` and exit status 3.
inline constexpr char kStoppableEvalWorker[] = R"SH(
i=0
while true; do
  i=$((i+1))
  echo "{\"event\":\"progress\",\"target\":\"run\",\"phase\":\"generation\",\"done\":$i,\"total\":1000}"
  if read -r -t 0.05 cmd && [ "$cmd" = stop ]; then
    echo '{"event":"cancelled","message":"cancelled: nothing was stored"}'
    exit 3
  fi
done
)SH";

// Dies without a final event.
inline constexpr char kCrashingEvalWorker[] = R"SH(
echo '{"event":"progress","target":"run","phase":"loss","done":1,"total":5}'
echo 'no such checkpoint (pretend)' >&2
exit 1
)SH";

} // namespace ft::test
