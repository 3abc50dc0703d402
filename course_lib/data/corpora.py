"""The course's corpora, generated or written here: nothing is downloaded.

Derived in notebooks/04_language_model_sampling.ipynb, "Training the language model".

- ``agreement_sentences``: English sentences with long-range number agreement, in the
  pattern of source tutorial section 5, "The cat, which already ate a bunch of food, was full." /
  "The cats, which already ate ..., were full." The relative clause between the subject
  and its verb has a chosen number of words, so the distance the model must remember
  the number over is a knob. The clause, the predicate and the noun are drawn
  independently of the subject's number: only the grammatical rule decides was/were.
- ``chinese_sentences``: a fixed list of short, simple Chinese sentences (written for
  this course) for a character-level language model; it contains the source tutorial's
  历史总是不断重演 and 王刚和李明去上班了, and each character of the homophone nonsense
  力使总事不断虫眼 in sensible company (努力, 大使, 事情, 虫子, 眼睛), so a model trained
  on it knows every character of both candidates but only one of them as a sentence.
"""

from dataclasses import dataclass

import numpy as np

from course_lib._validate import as_generator, check_positive_int

# ---------------------------------------------------------------------------------------
# Long-range agreement (source tutorial section 5)
# ---------------------------------------------------------------------------------------

# (singular, plural) subjects: regular and irregular plurals, so the model must learn
# the number of each noun, not just "ends in s". Animals take "which", people "who"
# ("that" for both): the pronoun depends on the noun, never on its number.
ANIMALS = (("cat", "cats"), ("dog", "dogs"), ("bird", "birds"), ("horse", "horses"), ("mouse", "mice"))
PEOPLE = (("child", "children"), ("farmer", "farmers"), ("student", "students"))
SUBJECTS = ANIMALS + PEOPLE
# Predicates after the verb: the verb is the only word that depends on the number.
PREDICATES = ("full", "tired", "happy", "hungry", "asleep", "very happy", "very tired", "still hungry")
VERBS = {"singular": "was", "plural": "were"}

# Pieces of the relative clause "which already ate a bunch of food". Every piece is
# past tense or a noun phrase: none agrees with the subject (no "is"/"was" inside).
_PRONOUNS = {"animal": ("which", "that"), "person": ("who", "that")}
_ADVERBS = ("already", "often", "finally", "quietly", "never")
_INTRANSITIVE = ("slept", "played", "ran", "waited")
_TRANSITIVE = ("saw", "chased", "found", "liked", "watched")
_OBJECTS = (
    ("food",), ("the", "ball"), ("some", "fish"), ("the", "old", "man"),
    ("a", "bunch", "of", "food"), ("a", "big", "red", "ball"), ("the", "small", "boxes"),
)
_FOOD = (("food",), ("some", "fish"), ("a", "bunch", "of", "food"), ("the", "old", "bread"))
_PLACES = (
    ("at", "home"), ("in", "the", "garden"), ("near", "the", "river"),
    ("in", "the", "big", "garden"), ("near", "the", "old", "house"),
)
_TIMES = (("today",), ("yesterday",), ("last", "night"), ("all", "day"), ("every", "morning"))


@dataclass(frozen=True)
class AgreementExample:
    """One agreement sentence and where its dependency lies.

    Attributes:
        sentence: the text, e.g. "The cats, which slept, were tired."
        plural: True when the subject (and so the verb) is plural.
        filler_length: number of words in the relative clause (between the commas).
        subject_position: index of the subject noun among the sentence's word tokens
            (``tokenize(sentence, "word")``; "The" is 0, so this is 1).
        verb_position: index of "was"/"were" among the word tokens; the distance the
            number must be remembered over is ``verb_position - subject_position``
            (= filler_length + 3: the clause, its two commas and the verb itself).
        verb: "was" or "were" (the correct one).
        wrong_verb: the other one.
    """

    sentence: str
    plural: bool
    filler_length: int
    subject_position: int
    verb_position: int
    verb: str
    wrong_verb: str


def _pick(rng, options):
    return options[rng.integers(len(options))]


def _verb_phrase(rng, n_words):
    """A verb phrase of exactly ``n_words`` words (1 ≤ n_words ≤ MAX_VERB_PHRASE).

    Built as  [adverb] verb [object] [place] [time]  by drawing the optional pieces at
    random until the length fits (a few dozen draws on average, a few hundred at most).
    """
    for _ in range(100_000):
        words = []
        if rng.random() < 0.5:
            words.append(_pick(rng, _ADVERBS))
        kind = rng.random()
        if kind < 0.3:
            words.append(_pick(rng, _INTRANSITIVE))
        elif kind < 0.5:  # "ate" only takes food
            words.append("ate")
            words.extend(_pick(rng, _FOOD))
        else:
            words.append(_pick(rng, _TRANSITIVE))
            words.extend(_pick(rng, _OBJECTS))
        for pieces in (_PLACES, _TIMES):
            if len(words) < n_words and rng.random() < 0.5:
                words.extend(_pick(rng, pieces))
        if len(words) == n_words:
            return words
    raise RuntimeError(f"no verb phrase of {n_words} words found")  # unreachable for 1..12


MAX_VERB_PHRASE = 12  # adverb, verb, a 4-word object, a 4-word place, a 2-word time


def _relative_clause(rng, n_words, pronouns):
    """A relative clause of exactly ``n_words`` words (2 ≤ n_words ≤ 24), as a word list.

    pronoun + one verb phrase ("which already ate a bunch of food"), or, for longer
    clauses and some shorter ones, pronoun + two verb phrases joined by "and" ("that
    slept at home and chased the ball all day").
    """
    body = n_words - 1  # words after the pronoun
    two = body > MAX_VERB_PHRASE or (body >= 3 and rng.random() < 0.3)
    if not two:
        return [_pick(rng, pronouns)] + _verb_phrase(rng, body)
    low, high = max(1, body - 1 - MAX_VERB_PHRASE), min(MAX_VERB_PHRASE, body - 2)
    first = int(rng.integers(low, high + 1))
    return [_pick(rng, pronouns)] + _verb_phrase(rng, first) + ["and"] + _verb_phrase(rng, body - 1 - first)


MIN_FILLER, MAX_FILLER = 2, 24


def agreement_examples(n, rng, min_filler=2, max_filler=12):
    """``n`` agreement sentences with their metadata.

    Args:
        n: number of sentences (int ≥ 1).
        rng: np.random.Generator or int seed; the same seed gives the same sentences.
        min_filler, max_filler: the relative clause's length in words is drawn uniformly
            from [min_filler, max_filler] (2 ≤ min_filler ≤ max_filler ≤ 24).
    Returns:
        list of n AgreementExample. Subject number, noun, clause and predicate are drawn
        independently, so the subject's number is the only thing that predicts the verb.
    """
    n = check_positive_int("n", n)
    rng = as_generator("rng", rng)
    min_filler = check_positive_int("min_filler", min_filler, minimum=MIN_FILLER)
    max_filler = check_positive_int("max_filler", max_filler, minimum=min_filler)
    if max_filler > MAX_FILLER:
        raise ValueError(f"max_filler must be <= {MAX_FILLER}, got {max_filler}")
    examples = []
    for _ in range(n):
        plural = bool(rng.integers(2))
        noun = _pick(rng, SUBJECTS)
        subject = noun[int(plural)]
        n_words = int(rng.integers(min_filler, max_filler + 1))
        clause = _relative_clause(rng, n_words, _PRONOUNS["person" if noun in PEOPLE else "animal"])
        predicate = _pick(rng, PREDICATES)
        verb, wrong = (VERBS["plural"], VERBS["singular"]) if plural else (VERBS["singular"], VERBS["plural"])
        sentence = f"The {subject}, {' '.join(clause)}, {verb} {predicate}."
        examples.append(AgreementExample(
            sentence=sentence, plural=plural, filler_length=n_words,
            subject_position=1, verb_position=n_words + 4,  # The cat , <clause> , was
            verb=verb, wrong_verb=wrong,
        ))
    return examples


def agreement_sentences(n, rng, min_filler=2, max_filler=12):
    """``n`` sentences like "The cat, which already ate a bunch of food, was full."

    Args and randomness as ``agreement_examples``, which also returns the metadata
    (subject number, clause length, positions of subject and verb).
    Returns:
        list of n str.
    """
    return [ex.sentence for ex in agreement_examples(n, rng, min_filler, max_filler)]


# ---------------------------------------------------------------------------------------
# A small Chinese corpus for a character-level model (source tutorial sections 1 and 3)
# ---------------------------------------------------------------------------------------

# Written for this course: short daily-life sentences, a few with a comma and a full
# stop. Commas are written "," as in the source tutorial's examples (他说,「王刚已经离开学校了」),
# so that the source tutorial's sentences encode without an <UNK> for the comma.
_CHINESE = """
历史总是不断重演
王刚和李明去上班了
他说,「王刚已经离开学校了」
他说,「王府内已经没有差事可做了」
我爱吃油泼辣子面,味道非常好。
我们都喜欢历史
历史课很有意思
老师在讲中国历史
他总是看历史书
学习历史可以明白现在
很多事情总是不断变化
这件事情很重要
今天的事情做完了
他总是说事情很简单
有事情就告诉我
他做事总是很认真
我们不断学习新的知识
天气不断变冷
他不断地努力工作
这个问题不断出现
他学习很努力
我们一起努力吧
努力总是有用的
她没有力气走路了
他很有力气
大使来到了北京
大使每天都很忙
他是一个大使
这个人可以使用电脑
他会使用这个工具
我的眼睛有点累
她的眼睛很大
他闭上了眼睛
小猫的眼睛是绿色的
眼镜放在桌子上
树上有一只虫子
小鸟吃了一只虫子
花园里有很多虫子
我不喜欢虫子
这出戏又重演了
老故事又重演了一次
王刚今天去上班了
李明明天去上班
王刚和李明是好朋友
李明在北京工作
王刚每天早上跑步
李明喜欢喝茶
王刚喜欢喝咖啡
李明的妈妈是老师
王刚的爸爸是医生
王刚和李明一起吃饭
李明总是很早起床
王刚总是很晚睡觉
我今天去上班了
我明天去上学
我们一起去上班吧
他每天坐车去上班
她每天走路去学校
我们在学校学习
学生们在教室里上课
老师在教室里讲课
今天天气很好
今天天气不好
明天会下雨
昨天下了大雨
外面在下雪
春天来了,花都开了。
夏天很热
冬天很冷
秋天的天气很舒服
我喜欢春天
他不喜欢冬天
太阳出来了
月亮很圆
天上有很多星星
我们去公园玩吧
公园里有很多人
孩子们在公园里跑步
小狗在草地上跑
小猫在睡觉
我家有一只小猫
他家有两只小狗
小鸟在树上唱歌
鱼在水里游
我爱吃米饭
他爱吃面条
她喜欢吃水果
我们一起吃晚饭吧
妈妈在做饭
爸爸在看书
哥哥在打球
妹妹在画画
姐姐在唱歌
弟弟在睡觉
奶奶在公园散步
爷爷喜欢喝茶
我想喝水
我有点饿了
我吃饱了
这个苹果很甜
这个面包很好吃
我们去买菜吧
商店里有很多东西
这件衣服很好看
这本书很有意思
我正在看一本书
他在写一封信
她在学习中文
我会说一点中文
中文很有意思
他说中文说得很好
我们明天见
谢谢你的帮助
不客气
对不起,我来晚了。
没关系
你叫什么名字
我叫李明
他叫王刚
你今年多大了
你住在哪里
我住在北京
他住在上海
你想去哪里
我想去北京
我们坐火车去上海
飞机很快
火车站很远
医院在学校旁边
银行在商店对面
我的朋友是医生
她的朋友是老师
他们都是学生
我们都是好朋友
朋友们一起唱歌
他今天很高兴
她今天不高兴
我很累,想睡觉了。
他病了,没有去上班。
她笑了
孩子们都很快乐
我们的生活很快乐
时间过得很快
现在几点了
现在是早上八点
我每天八点上班
他每天六点起床
我们下午去看电影
这个电影很好看
晚上我们去看书
周末我们去爬山
山上的风景很美
河里的水很清
我喜欢听音乐
他会弹钢琴
她会跳舞
我们一起打球吧
他跑得很快
她走得很慢
这个问题很难
这个问题很简单
老师回答了我的问题
我不知道答案
他知道很多事情
她总是帮助别人
我们要保护环境
大家都要好好学习
我的工作很忙
他的工作不忙
我们公司很大
他在一家公司工作
她是一个好老师
他是一个好学生
我有一个问题
你有时间吗
我没有时间
明天你有空吗
我明天有空
今天是星期一
明天是星期六
我的生日在春天
祝你生日快乐
新年快乐
他给我一本书
我给妈妈打电话
妈妈给我做了面条
电话响了
门开了
窗户关上了
房间很干净
桌子上有一杯茶
书在桌子上
猫在椅子下面
我的家在城市里
城市里有很多车
路上车很多
我们在路上走
他开车去上班
她骑车去学校
学校离家很近
医院离家很远
我们走路去公园
天黑了,我们回家吧。
我回家了
他还没有回家
她已经回家了
我们已经吃完饭了
他已经离开了
我已经做完了工作
他还在工作
我还没有睡觉
小明在做作业
小红在看电视
小明和小红是同学
同学们都很努力
老师说我们做得很好
他说他明天不来了
她说她很喜欢这本书
我觉得这个很好
我觉得有点冷
你觉得怎么样
这是我的书
那是他的车
这是什么
那是一只小鸟
这里很安静
那里很热闹
"""


def chinese_sentences():
    """The course's Chinese corpus: a new list of short sentences (str), no spaces.

    Contains 历史总是不断重演 and 王刚和李明去上班了; every character of the homophone
    nonsense 力使总事不断虫眼 also occurs, but only inside sensible words, so a
    character-level model knows all of them and still finds that sentence improbable.
    The sentence 我爱吃油泼辣子面,味道非常好。 has no 彪, so the source tutorial's
    我爱吃油泼辣子彪彪面,味道非常好。 encodes with two <UNK>.
    """
    return [line.strip() for line in _CHINESE.splitlines() if line.strip()]
