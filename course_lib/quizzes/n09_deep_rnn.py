"""Notebook 09's self-check: what a[2]<3> reads, a layer's parameters, the dependency cone, where the
gradient vanishes, and what depth did on the agreement corpus."""

from course_lib.quiz import Choice, Mistake, MultipleChoice, Numeric, Quiz

QUIZ = Quiz("Self-check: deep RNNs", (
    MultipleChoice(
        "In a deep RNN (深度循环神经网络), which column does W<sub>a</sub><sup>[2]</sup> multiply to give the "
        "source tutorial's a<sup>[2]⟨3⟩</sup>?",
        (
            Choice("[a<sup>[2]⟨2⟩</sup>; x<sup>⟨3⟩</sup>]",
                   why="Only layer 1 reads x<sup>⟨t⟩</sup>; layer 2 reads, where a one-layer RNN reads its "
                       "input, the layer below at the same step."),
            Choice("[a<sup>[2]⟨2⟩</sup>; a<sup>[1]⟨2⟩</sup>]",
                   why="The layer below is read at the same step, t = 3, not the step before: "
                       "a<sup>[1]⟨3⟩</sup>."),
            Choice("[a<sup>[2]⟨2⟩</sup>; a<sup>[1]⟨3⟩</sup>]", correct=True,
                   why="Its own state one step back (from the left) and layer 1's state at the same step "
                       "(from below): a<sup>[2]⟨3⟩</sup> = g(W<sub>a</sub><sup>[2]</sup> [a<sup>[2]⟨2⟩</sup>; "
                       "a<sup>[1]⟨3⟩</sup>] + b<sub>a</sub><sup>[2]</sup>)."),
            Choice("[a<sup>[1]⟨3⟩</sup>; a<sup>[3]⟨2⟩</sup>]",
                   why="Nothing is read from above: a state depends only on the layers below it and the "
                       "steps before it."),
        ),
    ),
    Numeric(
        "Notebook 04's language model stacked three layers deep, 64 units in each, over a vocabulary of "
        "n<sub>x</sub> = 79 words. How many numbers do layer 2's W<sub>a</sub><sup>[2]</sup> and "
        "b<sub>a</sub><sup>[2]</sup> hold?",
        answer=8256,
        why="W<sub>a</sub><sup>[2]</sup> is n<sub>a</sub><sup>[2]</sup> × (n<sub>a</sub><sup>[2]</sup> + "
            "n<sub>a</sub><sup>[1]</sup>) = 64 × 128 = 8192, plus 64 biases: 8256. Only layer 1's count depends "
            "on the vocabulary.",
        hint="Layer l's W<sub>a</sub><sup>[l]</sup> has shape (n<sub>a</sub><sup>[l]</sup>, "
             "n<sub>a</sub><sup>[l]</sup> + n<sub>a</sub><sup>[l−1]</sup>); what does layer 2 read?",
        mistakes=(
            Mistake(8192, "That forgot the bias b<sub>a</sub><sup>[2]</sup>, 64 numbers."),
            Mistake(9216, "That is layer 1's count, 64 × (64 + 79) + 64: layer 2 reads layer 1's 64 units, not "
                          "the 79-word input."),
            Mistake(4160, "That counted only W<sub>aa</sub><sup>[2]</sup> and the bias: layer 2 also has the "
                          "64 × 64 columns that read a<sup>[1]⟨t⟩</sup>."),
        ),
    ),
    Numeric(
        "In a three-layer RNN over 6 steps, how many other hidden states a<sup>[k]⟨s⟩</sup> does "
        "a<sup>[2]⟨3⟩</sup> depend on (the inputs x<sup>⟨s⟩</sup> not counted)?",
        answer=5,
        why="Its cone is every a<sup>[k]⟨s⟩</sup> with k ≤ 2 and s ≤ 3: 2 · 3 = 6 states, less itself, 5 "
            "(and the three inputs x<sup>⟨1⟩</sup> … x<sup>⟨3⟩</sup>).",
        hint="Follow every path into a<sup>[2]⟨3⟩</sup> from the left and from below: which layers and which "
             "steps can you reach?",
        mistakes=(
            Mistake(2, "Those are its two direct inputs, a<sup>[2]⟨2⟩</sup> and a<sup>[1]⟨3⟩</sup>; it "
                       "depends on everything they depend on too."),
            Mistake(6, "That counted a<sup>[2]⟨3⟩</sup> itself; the cone is the 2 × 3 rectangle less the "
                       "state."),
            Mistake(8, "That added the three inputs x<sup>⟨1⟩</sup> … x<sup>⟨3⟩</sup>; the question counts "
                       "hidden states only."),
            Mistake(11, "That counted steps 4 to 6 as well: a deep RNN is still unidirectional, nothing to the "
                        "right of step 3 reaches it."),
        ),
    ),
    MultipleChoice(
        "In the trained three-layer language model, a gradient is sent into the top layer's last step only. "
        "Where does it vanish?",
        (
            Choice("across depth: three layers down, most of it is gone",
                   why="At the last step the norms of the three layers were within a factor of two of each "
                       "other: three layers are three connections, against the sentence's eighteen steps."),
            Choice("across time, in layers 2 and 3; what reaches the early steps goes down to layer 1 first "
                   "and back along it", correct=True,
                   why="Layers 2 and 3 kept about half of it per step back, layer 1 about 0.95: the layer that "
                       "reads the words carries the long-range signal, and the layers above work close to the "
                       "present."),
            Choice("nowhere: stacking layers cures the vanishing gradient",
                   why="In layer 3 it reached the start of the sentence at about 10<sup>−6</sup> of its size: "
                       "depth adds paths, not a gate that keeps the gradient."),
            Choice("across time in layer 1, since it is the farthest from the loss",
                   why="Layer 1 was the one that kept it, about 0.95 per step back; it is layers 2 and 3 whose "
                       "recurrence lets it fade."),
        ),
    ),
    MultipleChoice(
        "On the agreement corpus, what did 1, 2 and 3 layers show on held-out loss, over three seeds?",
        (
            Choice("3 layers of 40 units are best, 0.03 nats below one layer",
                   why="That was seed 0 alone; the other two seeds did not repeat it, and its mean over the "
                       "seeds was above the one-layer model's."),
            Choice("the deeper, the better, since a deeper model fits the training sentences better",
                   why="Fitting the training sentences better is not learning more of the language, which is "
                       "why held-out loss decides; and 3 × 64 was worse on both."),
            Choice("every deeper model ended within the seeds' own scatter of one layer, and 3 × 64, the "
                   "largest, was worse", correct=True,
                   why="On this small, simple corpus depth did not help, at the same budget or at larger ones; "
                       "3 × 64 had not finished learning in 2000 updates."),
        ),
    ),
))
