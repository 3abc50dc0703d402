"""Notebook 06's self-check: Γu ≈ 0 keeps the cell, what Γr does, c = a in the GRU, the parameter
count, and Cho's / PyTorch's z."""

from course_lib.quiz import Choice, Mistake, MultipleChoice, Numeric, Quiz

QUIZ = Quiz("Self-check: the GRU", (
    MultipleChoice(
        "In <i>The cat, which already ate a bunch of food, was full</i>, one unit's update gate (更新门) stays "
        "at Γ<sub>u</sub> ≈ 0 on every word of the clause. What happens to its memory cell?",
        (
            Choice("c<sup>⟨t⟩</sup> ≈ c~<sup>⟨t⟩</sup>: it takes each new candidate",
                   why="That is Γ<sub>u</sub> ≈ 1. In c<sup>⟨t⟩</sup> = Γ<sub>u</sub> * c~<sup>⟨t⟩</sup> + "
                       "(1 − Γ<sub>u</sub>) * c<sup>⟨t−1⟩</sup> the gate weighs the candidate, so a gate near "
                       "0 leaves it out."),
            Choice("c<sup>⟨t⟩</sup> ≈ c<sup>⟨t−1⟩</sup>: it keeps what it held after <i>cat</i>, whatever the "
                   "clause says", correct=True,
                   why="With Γ<sub>u</sub> ≈ 0 the update is (1 − 0) * c<sup>⟨t−1⟩</sup>: the cell is copied "
                       "forward, and <i>was</i> reads it there. The same factor 1 − Γ<sub>u</sub> ≈ 1 lets "
                       "the gradient pass back."),
            Choice("c<sup>⟨t⟩</sup> ≈ 0: a closed gate erases the memory",
                   why="A gate near 0 removes the candidate, not the old value: (1 − Γ<sub>u</sub>) ≈ 1 "
                       "multiplies c<sup>⟨t−1⟩</sup>."),
            Choice("the candidate is computed from x<sup>⟨t⟩</sup> alone",
                   why="That is Γ<sub>r</sub> ≈ 0, the relevance gate, which acts inside the candidate. "
                       "With Γ<sub>u</sub> ≈ 0 the candidate, whatever it is, does not reach c<sup>⟨t⟩</sup>."),
        ),
    ),
    MultipleChoice(
        "What does the relevance gate Γ<sub>r</sub> (相关门; elsewhere the reset gate, 重置门) decide?",
        (
            Choice("the relevance of c~<sup>⟨t⟩</sup> and c<sup>⟨t⟩</sup>",
                   why="That is the source tutorial's wording, and it is imprecise: Γ<sub>r</sub> is computed "
                       "before either exists, and it multiplies c<sup>⟨t−1⟩</sup> inside the candidate."),
            Choice("how much of the candidate c~<sup>⟨t⟩</sup> enters c<sup>⟨t⟩</sup>",
                   why="That is the update gate Γ<sub>u</sub>'s decision: c<sup>⟨t⟩</sup> = Γ<sub>u</sub> * "
                       "c~<sup>⟨t⟩</sup> + (1 − Γ<sub>u</sub>) * c<sup>⟨t−1⟩</sup>."),
            Choice("how much of c<sup>⟨t−1⟩</sup> is copied straight into c<sup>⟨t⟩</sup>",
                   why="That share is 1 − Γ<sub>u</sub>. With Γ<sub>u</sub> ≈ 0, c<sup>⟨t⟩</sup> = "
                       "c<sup>⟨t−1⟩</sup> whatever Γ<sub>r</sub> is, as the notebook checked."),
            Choice("how much of c<sup>⟨t−1⟩</sup> enters the candidate c~<sup>⟨t⟩</sup>", correct=True,
                   why="c~<sup>⟨t⟩</sup> = tanh(W<sub>c</sub> [Γ<sub>r</sub> * c<sup>⟨t−1⟩</sup>; "
                       "x<sup>⟨t⟩</sup>] + b<sub>c</sub>): with Γ<sub>r</sub> ≈ 0 the candidate is computed "
                       "from x<sup>⟨t⟩</sup> alone, as if the memory were reset."),
        ),
    ),
    MultipleChoice(
        "In the GRU, what is the hidden state a<sup>⟨t⟩</sup> that the output layer "
        "ŷ<sup>⟨t⟩</sup> = softmax(W<sub>y</sub> · + b<sub>y</sub>) reads?",
        (
            Choice("Γ<sub>o</sub> * tanh(c<sup>⟨t⟩</sup>)",
                   why="That is the LSTM's hidden state (notebook 07). The GRU has no output gate: it shows "
                       "all of its memory all of the time."),
            Choice("the candidate c~<sup>⟨t⟩</sup>",
                   why="The candidate is only a proposal; Γ<sub>u</sub> decides how much of it enters the cell, "
                       "and the cell is what the next step and the output read."),
            Choice("the memory cell itself: a<sup>⟨t⟩</sup> = c<sup>⟨t⟩</sup>", correct=True,
                   why="In the GRU the memory cell is the hidden state: one state, c<sup>⟨t⟩</sup>, read by "
                       "the gates of step t+1 and by ŷ<sup>⟨t⟩</sup> = softmax(W<sub>y</sub> c<sup>⟨t⟩</sup> + "
                       "b<sub>y</sub>)."),
        ),
    ),
    Numeric(
        "A full GRU cell (no output layer) with n<sub>x</sub> = 4 and n<sub>a</sub> = 3, as in the notebook's "
        "first examples. How many numbers do its parameters W<sub>r</sub>, b<sub>r</sub>, W<sub>u</sub>, "
        "b<sub>u</sub>, W<sub>c</sub>, b<sub>c</sub> hold?",
        answer=72,
        why="Each W is n<sub>a</sub> × (n<sub>a</sub> + n<sub>x</sub>) = 3 × 7 = 21 and each b is 3: 24 per "
            "block, and three blocks (Γ<sub>r</sub>, Γ<sub>u</sub>, the candidate): 72, three times the RNN's.",
        hint="Each W acts on the stacked column [c<sup>⟨t−1⟩</sup>; x<sup>⟨t⟩</sup>]: its shape is "
             "n<sub>a</sub> × (n<sub>a</sub> + n<sub>x</sub>). Add the biases, then count the blocks.",
        mistakes=(
            Mistake(63, "That forgot the biases b<sub>r</sub>, b<sub>u</sub>, b<sub>c</sub>, n<sub>a</sub> = 3 "
                        "each."),
            Mistake(48, "That is the simplified GRU (Γ<sub>u</sub> and the candidate): the full GRU adds the "
                        "relevance gate's W<sub>r</sub>, b<sub>r</sub>."),
            Mistake(24, "That is one block, the vanilla RNN's count; the GRU has three of them."),
            Mistake(96, "That is four blocks, the LSTM's count (notebook 07); the GRU has two gates and a "
                        "candidate."),
        ),
    ),
    MultipleChoice(
        "Cho et al. (2014) and PyTorch write h<sup>⟨t⟩</sup> = (1 − z) * n + z * h<sup>⟨t−1⟩</sup>. How does "
        "their z relate to the lecture's Γ<sub>u</sub>?",
        (
            Choice("z = Γ<sub>u</sub>: the same gate under another letter",
                   why="z is the share of the old value kept, Γ<sub>u</sub> the share of the candidate "
                       "taken. Reading the trained weights that way round put c<sup>⟨t⟩</sup> off by more "
                       "than 0.5."),
            Choice("z = 1 − Γ<sub>u</sub>: the same model, with the weights −W<sub>u</sub>, −b<sub>u</sub>",
                   correct=True,
                   why="Since 1 − σ(s) = σ(−s), the gate z computed with −W<sub>u</sub>, −b<sub>u</sub> is "
                       "exactly 1 − Γ<sub>u</sub>: a change of sign, not a different model."),
            Choice("no weights turn one into the other: they are different models",
                   why="The update needs only a change of sign. What makes PyTorch's GRU a different model is "
                       "the other difference, the reset applied after the matrix product."),
        ),
    ),
))
