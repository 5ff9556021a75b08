"""Fine-tuning helpers, Ray-free: shard rows -> chat samples, processor + chat template -> tensors
with the prompt masked, the DeepSpeed config, answer grading and evaluation, the tiny offline
model, the driver's row split / step count / report (``plan``) and one worker's training recipe
(``recipe``). The Ray Train wiring lives in ``sciray.cluster.train``."""
