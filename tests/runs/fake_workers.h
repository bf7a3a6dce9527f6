#pragma once
// Fake training workers for the process tests: shell scripts that behave like `ftstudio-cli train
// --run DIR --events jsonl` ($3 is DIR) or misbehave on purpose. Kept out of the test sources
// because moc cannot parse raw strings with custom delimiters.

namespace ft::test {

// Garbage, binary, a 2 MB line, a line cut across two writes, wrong types, stderr, a last line without
// newline, and an exit without a final event.
inline constexpr char kHostileWorker[] = R"SH(
echo 'garbage line'
printf '\x00\x01\xff binary\n'
printf '{"event":"started","run_dir":"%s","total_steps":3}\n' "$3"
head -c 2000000 /dev/zero | tr '\0' 'x'; echo
printf '{"event":"step","step":1,"loss":2.0}\n{"event":"st'
sleep 0.3
printf 'ep","step":2,"loss":1.5}\n'
echo '{"event":"step","step":"bad"}'
echo '[1,2]'
echo 'something went wrong here' >&2
printf '{"event":"step","step":3,"loss":1.0}'
exit 0
)SH";

// Two events, a line on stderr, then SIGKILL (as the out-of-memory killer would).
inline constexpr char kCrashingWorker[] = R"SH(
echo '{"event":"started","total_steps":100}'
echo '{"event":"step","step":1,"loss":2.0}'
echo 'Killed: out of memory (pretend)' >&2
kill -9 $$
)SH";

// 20,000 steps as fast as the shell can write them, an evaluation, the end.
inline constexpr char kFloodingWorker[] = R"SH(
echo '{"event":"started","total_steps":20000}'
for i in $(seq 1 20000); do echo "{\"event\":\"step\",\"step\":$i,\"loss\":1.0,\"tokens\":$i}"; done
echo '{"event":"eval","step":20000,"val_loss":0.9}'
echo '{"event":"finished","step":20000,"message":"done"}'
)SH";

// Echoes each stdin command as a log event; pause/resume/stop behave like the worker.
inline constexpr char kEchoingWorker[] = R"SH(
echo '{"event":"started","total_steps":1}'
while read -r cmd; do
  echo "{\"event\":\"log\",\"level\":\"info\",\"message\":\"got $cmd\"}"
  [ "$cmd" = pause ] && echo '{"event":"paused"}'
  [ "$cmd" = resume ] && echo '{"event":"resumed"}'
  if [ "$cmd" = stop ]; then echo '{"event":"stopped","step":0,"message":"stopped on request"}'; exit 0; fi
done
)SH";

// About half a second: started, three steps, an evaluation, finished.
inline constexpr char kShortWorker[] = R"SH(
echo '{"event":"started","total_steps":3}'
for i in 1 2 3; do sleep 0.15; echo "{\"event\":\"step\",\"step\":$i,\"total_steps\":3,\"loss\":$((4 - i)),\"tokens\":$((i * 100))}"; done
echo '{"event":"eval","step":3,"val_loss":1.25,"is_best":true}'
echo '{"event":"finished","step":3,"message":"finished after 3 steps","tokens":300}'
)SH";

// The second session of a run stopped at step 3: it goes on from there to step 5.
inline constexpr char kResumedWorker[] = R"SH(
echo '{"event":"started","total_steps":5,"resumed_from_step":3}'
for i in 4 5; do echo "{\"event\":\"step\",\"step\":$i,\"total_steps\":5,\"loss\":1.0}"; done
echo '{"event":"finished","step":5,"message":"finished after 5 steps"}'
)SH";

// Runs until it reads "stop" on stdin.
inline constexpr char kStoppableWorker[] = R"SH(
echo '{"event":"started","total_steps":1000}'
while read -r cmd; do
  if [ "$cmd" = stop ]; then echo '{"event":"stopped","step":1,"message":"stopped on request"}'; exit 0; fi
done
)SH";

// A step every 50 ms until "stop" (checkpoint, then stopped); pause/resume answered; ends when stdin closes.
inline constexpr char kSteppingWorker[] = R"SH(
echo "{\"event\":\"started\",\"total_steps\":1000,\"run_dir\":\"$3\"}"
i=0
while true; do
  i=$((i+1))
  echo "{\"event\":\"step\",\"step\":$i,\"total_steps\":1000,\"loss\":$((3000 - i))e-3,\"lr\":1e-4,\"grad_norm\":1.0,\"tokens\":$((i*64)),\"tokens_per_second\":1200,\"elapsed\":$i,\"eta\":100}"
  # A read that times out mid-line keeps what it got: the rest of the line comes with the next read.
  read -r -t 0.05 part; rc=$?
  if [ $rc -gt 128 ]; then partial="$partial$part"; continue; fi
  cmd="$partial$part"; partial=""
  if [ $rc -eq 0 ]; then
    [ "$cmd" = pause ] && echo '{"event":"paused"}'
    [ "$cmd" = resume ] && echo '{"event":"resumed"}'
    [ "$cmd" = checkpoint ] && echo "{\"event\":\"checkpoint\",\"step\":$i,\"path\":\"$3/checkpoints/step-$i\"}"
    if [ "$cmd" = stop ]; then
      echo "{\"event\":\"checkpoint\",\"step\":$i,\"path\":\"$3/checkpoints/step-$i\"}"
      echo "{\"event\":\"stopped\",\"step\":$i,\"message\":\"stopped at step $i\"}"
      exit 0
    fi
  elif [ $rc -le 128 ]; then
    exit 0
  fi
done
)SH";

// Refuses the configuration the way this build's worker refuses LoRA (exit status 2).
inline constexpr char kRefusingWorker[] = R"SH(
echo '{"event":"failed","message":"training configuration: LoRA adapters and quantized bases are not available in this build yet (trainable \"lora\", base_quantization \"nf4\")"}'
exit 2
)SH";

} // namespace ft::test
