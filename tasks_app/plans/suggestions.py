"""Suggest the lead (牵头) and co-responsible (配合) departments of a plan task, with reasons.

A plain, explainable method for onboarding a new plan; no model writes, no database.
Three kinds of evidence, added up per department:

- an explicit mention: the department's name or an alias in the sentence ("区教委");
- function keywords from a data table (`plans/data/department_keywords.yaml`: 学校 → 区教委);
- the history of assignments already made: the sentence, its measure and chapter titles as
  character-bigram TF-IDF vectors, and a vote of the most similar assigned tasks (k nearest
  neighbours, weighted by cosine similarity), plus how often each department led before.

Chinese needs no segmenter here: character bigrams carry most of the meaning of two-character
words (教育, 学校, 河道). Every suggestion lists the words that produced it.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from tasks_app.parsing.quantities import normalize_width

# A town, street or zone (its management committee's area: 临空区, 大兴经开区) named in a
# sentence is usually where the work happens, not who leads it.
PLACE_MENTION_FACTOR = 0.2
PLACE_KINDS = frozenset({"town", "street", "committee"})
KEYWORD_CAP = 3.0
NEIGHBOURS = 5
# Where a word stands counts: the sentence itself, its measure's title, its chapter's title.
MEASURE_TITLE_WEIGHT = 0.5
CHAPTER_TITLE_WEIGHT = 0.25
CO_MIN_SCORE = 0.5
CO_LIMIT = 30
REASON_TASK_CHARS = 16
SHARED_WORDS = 3

_CJK_RUN_RE = re.compile(r"[\u4e00-\u9fff]+")
_LATIN_RE = re.compile(r"[A-Za-z][A-Za-z0-9.]*[A-Za-z0-9]|[A-Za-z]")


@dataclass(frozen=True)
class Weights:
    """How much each kind of evidence counts (docs/plan-onboarding-suggestions.md says why).

    mention: the department named in the sentence; keyword: per function keyword matched
    (capped); history: the nearest assigned tasks' vote (sums to 1); prior: the share of
    earlier tasks the department led. co_neighbour / co_pair: for co-departments, the
    neighbours' vote and how often a department worked with the chosen lead.
    """

    mention: float = 5.0
    keyword: float = 1.0
    history: float = 0.5
    prior: float = 0.6
    co_neighbour: float = 1.0
    co_pair: float = 0.5


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class DepartmentInfo:
    """A department that may be suggested: its code, name, aliases and function keywords."""

    code: str
    name: str
    aliases: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    kind: str = "bureau"


@dataclass(frozen=True)
class Assignment:
    """A task of an earlier plan (or an earlier part of this one) and who was assigned it."""

    text: str
    measure_title: str
    chapter_title: str
    lead: str
    co: tuple[str, ...] = ()
    code: str = ""


@dataclass(frozen=True)
class Suggestion:
    """A suggested department, its score (higher is better) and why, in words for people."""

    code: str
    name: str
    score: float
    reasons: tuple[str, ...]


def char_bigrams(text: str) -> Counter[str]:
    """Character bigrams of the Chinese runs plus lower-cased Latin words (PM2.5, vocs)."""
    text = normalize_width(text)
    grams: Counter[str] = Counter()
    for run in _CJK_RUN_RE.findall(text):
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    grams.update(word.lower() for word in _LATIN_RE.findall(text))
    return grams


def _task_features(sentence: str, measure_title: str, chapter_title: str) -> Counter[str]:
    features: Counter[str] = Counter(char_bigrams(sentence))
    for text, weight in (
        (measure_title, MEASURE_TITLE_WEIGHT),
        (chapter_title, CHAPTER_TITLE_WEIGHT),
    ):
        for gram, count in char_bigrams(text).items():
            features[gram] += weight * count
    return features


def _find_terms(text: str, terms: Iterable[str]) -> list[str]:
    """Terms found in text, longest first, none inside a longer one already found."""
    text = normalize_width(text)
    taken: list[tuple[int, int]] = []
    found: list[str] = []
    for term in sorted(set(terms), key=len, reverse=True):
        start = text.find(term)
        while start != -1:
            end = start + len(term)
            if not any(start < t_end and t_start < end for t_start, t_end in taken):
                taken.append((start, end))
                if term not in found:
                    found.append(term)
            start = text.find(term, start + 1)
    return found


@dataclass
class _Neighbour:
    assignment: Assignment
    similarity: float
    shared: list[str]


class SuggestionModel:
    """Built once from the departments and the history; then asked about many sentences."""

    def __init__(
        self,
        *,
        departments: Sequence[DepartmentInfo],
        history: Sequence[Assignment],
        weights: Weights = DEFAULT_WEIGHTS,
    ) -> None:
        self.weights = weights
        self.departments = {d.code: d for d in departments}
        self._alias_owner = {
            alias: d.code for d in departments for alias in (d.name, *d.aliases) if alias
        }
        self._keyword_owners: dict[str, list[str]] = defaultdict(list)
        for dep in departments:
            for word in dict.fromkeys(dep.keywords):
                self._keyword_owners[normalize_width(word)].append(dep.code)
        self.history = [a for a in history if a.lead in self.departments]
        docs = [_task_features(a.text, a.measure_title, a.chapter_title) for a in self.history]
        frequency = Counter(gram for doc in docs for gram in doc)
        self._idf = {g: math.log((1 + len(docs)) / (1 + n)) + 1 for g, n in frequency.items()}
        self._vectors = [self._vector(doc) for doc in docs]
        self._lead_count = Counter(a.lead for a in self.history)
        self._pair_count: Counter[tuple[str, str]] = Counter(
            (a.lead, co) for a in self.history for co in a.co
        )

    def _vector(self, features: Counter[str]) -> dict[str, float]:
        weights = {g: n * self._idf[g] for g, n in features.items() if g in self._idf}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {g: w / norm for g, w in weights.items()}

    def _neighbours(self, features: Counter[str], sentence: str) -> list[_Neighbour]:
        query = self._vector(features)
        scored = []
        for index, vector in enumerate(self._vectors):
            similarity = sum(w * vector[g] for g, w in query.items() if g in vector)
            if similarity > 0:
                scored.append((similarity, index))
        scored.sort(key=lambda pair: (-pair[0], pair[1]))
        neighbours = []
        for similarity, index in scored[:NEIGHBOURS]:
            vector = self._vectors[index]
            products = {g: w * vector[g] for g, w in query.items() if g in vector}
            shared = _shared_words(sentence, products)
            neighbours.append(_Neighbour(self.history[index], similarity, shared))
        return neighbours

    def _mentions(self, text: str) -> dict[str, str]:
        """Department code → the alias a text names it by."""
        found: dict[str, str] = {}
        for alias in _find_terms(text, self._alias_owner):
            found.setdefault(self._alias_owner[alias], alias)
        return found

    def _keywords(self, texts: Sequence[tuple[str, float]]) -> dict[str, dict[str, float]]:
        """Department code → {keyword: weight}, the best place each keyword stands in."""
        found: dict[str, dict[str, float]] = defaultdict(dict)
        for text, weight in texts:
            for word in _find_terms(text, self._keyword_owners):
                owners = self._keyword_owners[word]
                for code in owners:
                    share = weight / len(owners)
                    found[code][word] = max(found[code].get(word, 0.0), share)
        return found

    def leads(
        self, *, sentence: str, measure_title: str, chapter_title: str, limit: int = 3
    ) -> list[Suggestion]:
        """The `limit` most likely lead departments, best first."""
        evidence = _Evidence(self, sentence, measure_title, chapter_title)
        tally = _Tally()
        for code, alias in evidence.mentions.items():
            factor = PLACE_MENTION_FACTOR if self.departments[code].kind in PLACE_KINDS else 1
            tally.add(code, self.weights.mention * factor, _mention_reason(alias))
        evidence.add_keywords(tally, self.weights.keyword)
        vote_total = sum(n.similarity for n in evidence.neighbours) or 1.0
        explained: set[str] = set()
        for neighbour in evidence.neighbours:  # most similar first: it names the reason
            code = neighbour.assignment.lead
            points = self.weights.history * neighbour.similarity / vote_total
            tally.add(code, points, None if code in explained else _similar_reason(neighbour))
            explained.add(code)
        total = sum(self._lead_count.values()) or 1
        for code, count in self._lead_count.items():
            first = code not in tally.reasons
            reason = _("以往牵头%(count)d项任务") % {"count": count} if first else None
            tally.add(code, self.weights.prior * count / total, reason)
        return self._ranked(tally, limit=limit, min_score=0.0)

    def co_departments(
        self,
        *,
        sentence: str,
        measure_title: str,
        chapter_title: str,
        lead: str,
        limit: int = CO_LIMIT,
        min_score: float = CO_MIN_SCORE,
    ) -> list[Suggestion]:
        """Departments likely to share the work with `lead`, best first, above `min_score`."""
        evidence = _Evidence(self, sentence, measure_title, chapter_title)
        tally = _Tally()
        for code, alias in evidence.mentions.items():
            tally.add(code, self.weights.mention, _mention_reason(alias))
        evidence.add_keywords(tally, self.weights.keyword)
        vote_total = sum(n.similarity for n in evidence.neighbours) or 1.0
        votes: Counter[str] = Counter()
        for neighbour in evidence.neighbours:
            for code in {neighbour.assignment.lead, *neighbour.assignment.co}:
                tally.add(code, self.weights.co_neighbour * neighbour.similarity / vote_total)
                votes[code] += 1
        for code, count in votes.items():
            tally.note(code, _("相近任务中%(count)d项由其承担") % {"count": count})
        led = self._lead_count.get(lead, 0)
        for (pair_lead, code), count in self._pair_count.items():
            if pair_lead == lead:
                reason = _("曾%(count)d次配合%(lead)s")
                names = {"count": count, "lead": self.departments[lead].name}
                tally.add(code, self.weights.co_pair * count / led, reason % names)
        tally.scores.pop(lead, None)
        return self._ranked(tally, limit=limit, min_score=min_score)

    def _ranked(self, tally: _Tally, *, limit: int, min_score: float) -> list[Suggestion]:
        scores = tally.scores
        ranked = sorted(
            (c for c, score in scores.items() if score > min_score and c in self.departments),
            key=lambda code: (-scores[code], code),
        )
        return [
            Suggestion(
                code=code,
                name=self.departments[code].name,
                score=round(scores[code], 4),
                reasons=tuple(tally.reasons[code]),
            )
            for code in ranked[:limit]
        ]


class _Tally:
    """Points and reasons per department; evidence that adds no points adds no reason."""

    def __init__(self) -> None:
        self.scores: dict[str, float] = defaultdict(float)
        self.reasons: dict[str, list[str]] = defaultdict(list)

    def add(self, code: str, points: float, reason: str | None = None) -> None:
        if points > 0:
            self.scores[code] += points
            if reason:
                self.reasons[code].append(reason)

    def note(self, code: str, reason: str) -> None:
        """A reason for points already added piecemeal (a vote of several neighbours)."""
        if code in self.scores:
            self.reasons[code].append(reason)


class _Evidence:
    """What one sentence says: mentions, keywords and nearest assigned tasks."""

    def __init__(
        self, model: SuggestionModel, sentence: str, measure_title: str, chapter_title: str
    ) -> None:
        self.mentions = model._mentions(sentence)
        self.keywords = model._keywords(
            [
                (sentence, 1.0),
                (measure_title, MEASURE_TITLE_WEIGHT),
                (chapter_title, CHAPTER_TITLE_WEIGHT),
            ]
        )
        features = _task_features(sentence, measure_title, chapter_title)
        self.neighbours = model._neighbours(features, sentence)

    def add_keywords(self, tally: _Tally, weight: float) -> None:
        for code, words in self.keywords.items():
            ordered = sorted(words, key=lambda w: (-words[w], -len(w)))
            reason = _("职能关键词：%(words)s") % {"words": "、".join(ordered)}
            tally.add(code, weight * min(sum(words.values()), KEYWORD_CAP), reason)


def _shared_words(sentence: str, products: dict[str, float]) -> list[str]:
    """The words two tasks share, for people: runs of shared bigrams joined back together
    (河道 + 道治 + 治理 → 河道治理), heaviest first; bare bigrams if the sentence has none."""
    weights: dict[str, float] = {}
    for run in _CJK_RUN_RE.findall(normalize_width(sentence)):
        start = 0
        while start < len(run) - 1:
            end = start
            while end < len(run) - 1 and run[end : end + 2] in products:
                end += 1
            if end > start:
                phrase = run[start : end + 1]
                weight = sum(products[run[i : i + 2]] for i in range(start, end))
                weights[phrase] = max(weights.get(phrase, 0.0), weight)
            start = max(end, start + 1)
    for word in _LATIN_RE.findall(normalize_width(sentence)):
        if word.lower() in products:
            weights[word] = products[word.lower()]
    if not weights:
        weights = products
    return sorted(weights, key=lambda w: (-weights[w], w))[:SHARED_WORDS]


def _mention_reason(alias: str) -> str:
    return _("文中提到“%(alias)s”") % {"alias": alias}


def _similar_reason(neighbour: _Neighbour) -> str:
    text = neighbour.assignment.text.strip()
    if len(text) > REASON_TASK_CHARS:
        text = text[:REASON_TASK_CHARS] + "…"
    return _("与已分配任务“%(task)s”用词相近（%(words)s）") % {
        "task": text,
        "words": "、".join(neighbour.shared),
    }


def suggest_departments(
    *,
    sentence: str,
    measure_title: str,
    chapter_title: str,
    departments: Sequence[DepartmentInfo],
    history: Sequence[Assignment],
    limit: int = 3,
) -> list[Suggestion]:
    """The `limit` most likely lead departments of one task sentence, best first."""
    model = SuggestionModel(departments=departments, history=history)
    return model.leads(
        sentence=sentence, measure_title=measure_title, chapter_title=chapter_title, limit=limit
    )


def suggest_co_departments(
    *,
    sentence: str,
    measure_title: str,
    chapter_title: str,
    lead: str,
    departments: Sequence[DepartmentInfo],
    history: Sequence[Assignment],
    limit: int = CO_LIMIT,
    min_score: float = CO_MIN_SCORE,
) -> list[Suggestion]:
    """Co-responsible departments for a task led by `lead`, best first, above `min_score`."""
    model = SuggestionModel(departments=departments, history=history)
    return model.co_departments(
        sentence=sentence,
        measure_title=measure_title,
        chapter_title=chapter_title,
        lead=lead,
        limit=limit,
        min_score=min_score,
    )
