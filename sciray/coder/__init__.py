"""ImgCoder: an LLM plans a diagram and writes its code; parsing, fixes, repair."""
