"""Notebook 01's self-check: W_ax's shape (to, from), the shared parameter count, one hidden layer
unrolled over time, and why a one-directional RNN cannot tell 王刚 from 王府 at 王."""

from course_lib.quiz import Choice, Mistake, MultipleChoice, Numeric, Quiz

QUIZ = Quiz("Self-check: the forward pass", (
    MultipleChoice(
        "With n<sub>x</sub> = 4 inputs, n<sub>a</sub> = 3 hidden units and n<sub>y</sub> = 2 classes, as in the "
        "notebook's small example: what is the shape of W<sub>ax</sub>?",
        (
            Choice("(4, 3): n<sub>x</sub> rows, n<sub>a</sub> columns",
                   why="That reads the subscripts the wrong way round. A weight is named to, then from: W<sub>ax</sub> "
                       "computes a contribution to a (n<sub>a</sub> rows) from x (n<sub>x</sub> columns), so that "
                       "W<sub>ax</sub> x<sup>⟨t⟩</sup> lines up."),
            Choice("(3, 3), like W<sub>aa</sub>",
                   why="W<sub>aa</sub> is (n<sub>a</sub>, n<sub>a</sub>) because it reads the previous hidden state; "
                       "W<sub>ax</sub> reads x<sup>⟨t⟩</sup>, which has n<sub>x</sub> = 4 entries."),
            Choice("(3, 4): n<sub>a</sub> rows, n<sub>x</sub> columns", correct=True,
                   why="To a from x: one row per hidden unit it computes, one column per input entry it reads, "
                       "(n<sub>a</sub>, n<sub>x</sub>) = (3, 4), so W<sub>ax</sub> x<sup>⟨t⟩</sup> is (n<sub>a</sub>, m)."),
            Choice("(2, 3), the shape of the output layer",
                   why="(n<sub>y</sub>, n<sub>a</sub>) = (2, 3) is W<sub>ya</sub>, to ŷ from a. W<sub>ax</sub> never "
                       "involves n<sub>y</sub>."),
        ),
    ),
    Numeric(
        "The source tutorial's sizes: a 10 000-word vocabulary (n<sub>x</sub> = 10 000), sentences of "
        "T<sub>x</sub> = 100 words, and n<sub>a</sub> = 100 hidden units. How many parameters does the RNN cell "
        "(W<sub>ax</sub>, W<sub>aa</sub>, b<sub>a</sub>, without the output layer) have?",
        answer=1_010_100,
        why="W<sub>ax</sub> is 100 × 10 000 = 1 000 000, W<sub>aa</sub> 100 × 100 = 10 000 and b<sub>a</sub> 100: "
            "1 010 100, shared by all 100 steps, so the count does not depend on T<sub>x</sub>.",
        hint="Count the entries of W<sub>ax</sub> (n<sub>a</sub> × n<sub>x</sub>), W<sub>aa</sub> "
             "(n<sub>a</sub> × n<sub>a</sub>) and b<sub>a</sub> (n<sub>a</sub>), once: every step uses the same ones.",
        mistakes=(
            Mistake(101_010_000, "That multiplied by T<sub>x</sub> = 100, as if every step had weights of its "
                                 "own; the RNN shares one set of weights across all steps."),
            Mistake(1_010_000, "That forgot the bias b<sub>a</sub>, n<sub>a</sub> = 100 numbers."),
            Mistake(2_020_100, "That added the output layer W<sub>ya</sub>, b<sub>y</sub> (10 000 × 100 + 10 000); "
                               "the question asks for the cell alone."),
            Mistake(100_000_100, "That is the first layer of a standard network reading all 100 × 10 000 input "
                                 "units at once: what parameter sharing saves, about 99 times the RNN cell."),
        ),
    ),
    MultipleChoice(
        "The notebook's RNN (n<sub>a</sub> = 5) reads 王刚和李明去上班了, T<sub>x</sub> = 9. Drawn unrolled over "
        "time it looks like nine boxes side by side. What are they?",
        (
            Choice("nine hidden layers, each with its own W<sub>aa</sub>, W<sub>ax</sub>, b<sub>a</sub>",
                   why="Then the parameter count would grow with the sentence. It does not: the notebook counted the "
                       "same parameters for 王刚 (T<sub>x</sub> = 2) and for the 9-character sentence."),
            Choice("one hidden layer used nine times: nine hidden states a<sup>⟨1⟩</sup> … a<sup>⟨9⟩</sup>, one set "
                   "of weights", correct=True,
                   why="The cell is one layer of n<sub>a</sub> = 5 units; a<sup>⟨t⟩</sup> is what those units hold "
                       "after step t. A longer sentence gives more hidden states, not more layers or parameters."),
            Choice("a deep RNN of nine layers that share their weights",
                   why="A deep RNN stacks layers on top of each other at every step (notebook 09); unrolling over "
                       "time puts the same layer side by side, one column per step."),
            Choice("nine separate networks, one per character, whose outputs are averaged",
                   why="The steps are chained: each a<sup>⟨t⟩</sup> is computed from a<sup>⟨t−1⟩</sup>, and every "
                       "ŷ<sup>⟨t⟩</sup> has its own output, nothing is averaged."),
        ),
    ),
    MultipleChoice(
        "他说,「王刚已经离开学校了」 and 他说,「王府内已经没有差事可做了」 both have 王 at position 5. For the notebook's "
        "left-to-right RNN, how do the two predictions ŷ<sup>⟨5⟩</sup> compare?",
        (
            Choice("they differ, because 刚 follows 王 in one sentence and 府 in the other",
                   why="ŷ<sup>⟨5⟩</sup> depends on x<sup>⟨1⟩</sup> … x<sup>⟨5⟩</sup> only: a one-directional RNN has "
                       "not read position 6 when it computes ŷ<sup>⟨5⟩</sup>."),
            Choice("they are equal now, but a trained network would learn to tell them apart",
                   why="No training helps: the same characters 他说,「王 go into the same weights from the same "
                       "a<sup>⟨0⟩</sup> = 0, so every number up to step 5 is the same, whatever the weights."),
            Choice("they differ slightly, by rounding, because the batch holds two sentences",
                   why="The notebook checked with <code>np.array_equal</code>: a<sup>⟨1⟩</sup> … a<sup>⟨5⟩</sup> and "
                       "ŷ<sup>⟨1⟩</sup> … ŷ<sup>⟨5⟩</sup> are exactly equal; each example's column is computed on "
                       "its own."),
            Choice("they are identical, whatever the weights: the two sentences agree up to 王", correct=True,
                   why="Up to position 5 both feed the same inputs from a<sup>⟨0⟩</sup> = 0, so the states and "
                       "predictions are identical; they part from t = 6. Using what follows needs a bidirectional "
                       "RNN (notebook 08)."),
        ),
    ),
))
