"""SciGenBench evaluation of any set of images: quizzes (R_inv), judge, standard metrics, reports."""
