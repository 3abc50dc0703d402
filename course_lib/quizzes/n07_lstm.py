"""Notebook 07's self-check: keeping and writing at once, the gradient reaching c<t>, the forget bias,
the update gate's other name, and the parameter count of the adding problem's LSTM."""

from course_lib.quiz import Choice, Mistake, MultipleChoice, Numeric, Quiz

QUIZ = Quiz("Self-check: the LSTM", (
    MultipleChoice(
        "One LSTM unit has Γ<sub>f</sub> ≈ 1 and Γ<sub>u</sub> ≈ 1 at the same step. What does its memory cell "
        "do?",
        (
            Choice("that cannot happen: Γ<sub>f</sub> = 1 − Γ<sub>u</sub>",
                   why="That is the GRU, the special case Γ<sub>f</sub> = 1 − Γ<sub>u</sub>. The LSTM's forget "
                       "and update gates are computed separately, each with its own W and b."),
            Choice("c<sup>⟨t⟩</sup> ≈ c~<sup>⟨t⟩</sup>: writing the candidate overwrites the memory",
                   why="That would need Γ<sub>f</sub> ≈ 0. The update is a sum, c<sup>⟨t⟩</sup> = "
                       "Γ<sub>u</sub> * c~<sup>⟨t⟩</sup> + Γ<sub>f</sub> * c<sup>⟨t−1⟩</sup>: with "
                       "Γ<sub>f</sub> ≈ 1 the old value stays in it."),
            Choice("c<sup>⟨t⟩</sup> ≈ c~<sup>⟨t⟩</sup> + c<sup>⟨t−1⟩</sup>: it keeps its memory and adds the "
                   "candidate to it", correct=True,
                   why="The memory's update is a sum of two independently gated terms, so a unit can keep and "
                       "write at once — as the trained number unit does, with Γ<sub>f</sub> near 1 and "
                       "Γ<sub>u</sub> not closed."),
            Choice("a<sup>⟨t⟩</sup> ≈ c<sup>⟨t⟩</sup>: the memory is shown unchanged",
                   why="What is shown is a<sup>⟨t⟩</sup> = Γ<sub>o</sub> * tanh(c<sup>⟨t⟩</sup>): the output "
                       "gate decides it, and the memory always goes through a tanh on the way out."),
        ),
    ),
    MultipleChoice(
        "In <code>lstm_cell_backward(da_next, dc_next, cache)</code>, what is the total gradient "
        "dc<sup>⟨t⟩</sup> reaching the memory cell c<sup>⟨t⟩</sup>?",
        (
            Choice("<code>dc_next</code> alone",
                   why="c<sup>⟨t⟩</sup> is read twice, by step t+1 and by a<sup>⟨t⟩</sup> = Γ<sub>o</sub> * "
                       "tanh(c<sup>⟨t⟩</sup>): this leaves out the path through a<sup>⟨t⟩</sup>."),
            Choice("<code>da_next</code> * Γ<sub>o</sub> * (1 − tanh²(c<sup>⟨t⟩</sup>)) alone",
                   why="This leaves out what step t+1 sends back along the memory, the constant error "
                       "carousel itself."),
            Choice("<code>dc_next</code> * Γ<sub>f</sub>",
                   why="That is one step further back, the direct part of dc<sup>⟨t−1⟩</sup> = "
                       "dc<sup>⟨t⟩</sup> * Γ<sub>f</sub>."),
            Choice("<code>dc_next</code> + <code>da_next</code> * Γ<sub>o</sub> * (1 − "
                   "tanh²(c<sup>⟨t⟩</sup>))", correct=True,
                   why="Both readers of c<sup>⟨t⟩</sup> send a gradient back: step t+1 (dc_next) and the "
                       "hidden state a<sup>⟨t⟩</sup>, through Γ<sub>o</sub> and tanh′. The notebook calls this "
                       "the line learners most often get wrong."),
        ),
    ),
    MultipleChoice(
        "Before training the weights are small, so every gate sits near σ(b). Why start the forget bias at "
        "b<sub>f</sub> = 1 rather than 0?",
        (
            Choice("at b<sub>f</sub> = 0, Γ<sub>f</sub> ≈ σ(0) = 0.5: the memory and its gradient halve at every "
                   "step; at 1, Γ<sub>f</sub> ≈ 0.73 and a long-range signal reaches the weights from the start",
                   correct=True,
                   why="The notebook measured it on the agreement task: with b<sub>f</sub> + 1 tens of times "
                       "more of the verb's gradient reached the subject before training, and most seeds "
                       "learned sooner."),
            Choice("with b<sub>f</sub> = 1, Γ<sub>f</sub> = 1 exactly: the constant error carousel from the "
                   "start",
                   why="σ(1) ≈ 0.73, not 1; the carousel turns only where training (or a much larger bias) "
                       "puts Γ<sub>f</sub> near 1."),
            Choice("PyTorch does it by default, so the course follows it",
                   why="It is Keras's default (<code>unit_forget_bias=True</code>); PyTorch's "
                       "<code>nn.LSTM</code> draws its forget bias like the others."),
            Choice("it stops the gradient from exploding",
                   why="A larger b<sub>f</sub> keeps more of the memory's gradient, it does not shrink it: it "
                       "is a cure for a signal that fades, not for one that explodes."),
        ),
    ),
    MultipleChoice(
        "PyTorch's <code>nn.LSTM</code> has an input gate i (输入门). Which gate of the lecture's LSTM is it?",
        (
            Choice("the forget gate Γ<sub>f</sub>",
                   why="PyTorch has a forget gate of its own, f; it multiplies c<sup>⟨t−1⟩</sup>, while i "
                       "multiplies the candidate."),
            Choice("the output gate Γ<sub>o</sub>",
                   why="PyTorch's output gate is o, which scales tanh(c<sup>⟨t⟩</sup>) into the hidden state."),
            Choice("the update gate Γ<sub>u</sub> (更新门)", correct=True,
                   why="The source tutorial, following the lecture, calls the gate that multiplies the "
                       "candidate the update gate; the papers, PyTorch and Keras call it the input gate. It "
                       "is the same gate."),
            Choice("the candidate c~<sup>⟨t⟩</sup>",
                   why="PyTorch calls the candidate g (packed order i, f, g, o); it is a tanh, not a gate."),
        ),
    ),
    Numeric(
        "The adding problem's LSTM: n<sub>a</sub> = 32, two numbers read per step (n<sub>x</sub> = 2), and one "
        "output ŷ = W<sub>y</sub> h<sup>⟨T⟩</sup> + b<sub>y</sub>. How many parameters does it have, its output "
        "layer included (no peepholes)?",
        answer=4513,
        why="Four blocks of n<sub>a</sub>(n<sub>a</sub> + n<sub>x</sub>) + n<sub>a</sub> = 32 · 34 + 32 = 1120, "
            "so 4480 in the cell, and W<sub>y</sub> (1 × 32) with b<sub>y</sub>: 33 more, 4513 — the "
            "\"about 4500\" of the notebook.",
        hint="Each of the three gates and the candidate has a W of shape n<sub>a</sub> × (n<sub>a</sub> + "
             "n<sub>x</sub>) and a b of n<sub>a</sub>; then add the output layer.",
        mistakes=(
            Mistake(4480, "That is the cell alone: the question includes the output layer, W<sub>y</sub> "
                          "(1 × 32) and b<sub>y</sub>, 33 numbers."),
            Mistake(4385, "That forgot the four biases b<sub>f</sub>, b<sub>u</sub>, b<sub>c</sub>, "
                          "b<sub>o</sub>, 32 numbers each."),
            Mistake(3393, "That counted three blocks, a GRU's; the LSTM has three gates and a candidate, four "
                          "blocks."),
            Mistake(1153, "That counted one block, an RNN's; the LSTM has four."),
            Mistake(4609, "That added peepholes p<sub>f</sub>, p<sub>u</sub>, p<sub>o</sub>; the LSTMs trained "
                          "in the notebook have none."),
        ),
    ),
))
