import { createToken, Lexer, type TokenType } from 'chevrotain';

/** Every word that names something: identifiers and keywords alike (used where a name may be a keyword, such as argument names). */
export const AnyName = createToken({ name: 'AnyName', pattern: Lexer.NA });

export const Identifier = createToken({
  name: 'Identifier',
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  categories: [AnyName],
});

/** Every binary operator (precedence is resolved when the AST is built). */
export const BinaryOp = createToken({ name: 'BinaryOp', pattern: Lexer.NA });

const keywordList: TokenType[] = [];

function keyword(word: string, extra: TokenType[] = []): TokenType {
  const name = word.charAt(0).toUpperCase() + word.slice(1);
  const t = createToken({
    name,
    pattern: new RegExp(word),
    longer_alt: Identifier,
    categories: [AnyName, ...extra],
  });
  keywordList.push(t);
  return t;
}

// Declarations
export const Use = keyword('use');
export const Data = keyword('data');
export const Const = keyword('const');
export const Module = keyword('module');
export const Experiment = keyword('experiment');
// Experiment statements
export const Seed = keyword('seed');
export const Replicates = keyword('replicates');
export const Sweep = keyword('sweep');
export const In = keyword('in');
export const Model = keyword('model');
export const On = keyword('on');
export const Fractal = keyword('fractal');
export const Level = keyword('level');
export const Pixel = keyword('pixel');
export const Generators = keyword('generators');
export const Retrain = keyword('retrain');
export const For = keyword('for');
export const Real = keyword('real');
export const Synthetic = keyword('synthetic');
export const From = keyword('from');
export const Weights = keyword('weights');
export const Inject = keyword('inject');
export const Into = keyword('into');
export const Cycle = keyword('cycle');
export const Learns = keyword('learns');
export const Captions = keyword('captions');
export const Of = keyword('of');
export const Samples = keyword('samples');
export const Freeze = keyword('freeze');
export const Select = keyword('select');
export const By = keyword('by');
export const Compare = keyword('compare');
export const Train = keyword('train');
export const Phase = keyword('phase');
export const When = keyword('when');
export const Fit = keyword('fit');
export const Metric = keyword('metric');
export const At = keyword('at');
export const Final = keyword('final');
export const Every = keyword('every');
export const View = keyword('view');
export const Over = keyword('over');
export const Mark = keyword('mark');
export const As = keyword('as');
export const Preview = keyword('preview');
// Units
export const Generations = keyword('generations');
export const Generation = keyword('generation');
export const Steps = keyword('steps');
export const Step = keyword('step');
export const Rounds = keyword('rounds');
export const Round = keyword('round');
// Expressions
export const If = keyword('if');
export const Then = keyword('then');
export const Else = keyword('else');
export const And = keyword('and', [BinaryOp]);
export const Or = keyword('or', [BinaryOp]);
export const Not = keyword('not');
export const True = keyword('true');
export const False = keyword('false');

export const keywords: readonly TokenType[] = keywordList;
export const keywordNames: readonly string[] = keywordList.map((t) => String(t.PATTERN).slice(1, -1));

export const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/,
  group: Lexer.SKIPPED,
});
export const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\n\r]*/, group: 'comments' });
export const BlockComment = createToken({
  name: 'BlockComment',
  pattern: /\/\*[^*]*\*+(?:[^/*][^*]*\*+)*\//,
  group: 'comments',
  line_breaks: true,
});
export const UnterminatedComment = createToken({
  name: 'UnterminatedComment',
  pattern: /\/\*[\s\S]*/,
  group: 'comments',
  line_breaks: true,
});

export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?/,
});
export const StringLiteral = createToken({ name: 'StringLiteral', pattern: /"(?:[^"\\\n\r]|\\.)*"/ });
export const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: /"(?:[^"\\\n\r]|\\.)*/ });

export const DotDot = createToken({ name: 'DotDot', pattern: /\.\./ });
export const Dot = createToken({ name: 'Dot', pattern: /\./ });
export const LParen = createToken({ name: 'LParen', pattern: /\(/ });
export const RParen = createToken({ name: 'RParen', pattern: /\)/ });
export const LBrace = createToken({ name: 'LBrace', pattern: /\{/ });
export const RBrace = createToken({ name: 'RBrace', pattern: /\}/ });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/ });
export const RBracket = createToken({ name: 'RBracket', pattern: /\]/ });
export const Comma = createToken({ name: 'Comma', pattern: /,/ });
export const Colon = createToken({ name: 'Colon', pattern: /:/ });
export const CompareOp = createToken({ name: 'CompareOp', pattern: Lexer.NA, categories: [BinaryOp] });
export const EqEq = createToken({ name: 'EqEq', pattern: /==/, categories: [CompareOp] });
export const NotEq = createToken({ name: 'NotEq', pattern: /!=/, categories: [CompareOp] });
export const LtEq = createToken({ name: 'LtEq', pattern: /<=/, categories: [CompareOp] });
export const GtEq = createToken({ name: 'GtEq', pattern: />=/, categories: [CompareOp] });
export const Lt = createToken({ name: 'Lt', pattern: /</, categories: [CompareOp] });
export const Gt = createToken({ name: 'Gt', pattern: />/, categories: [CompareOp] });
export const Equals = createToken({ name: 'Equals', pattern: /=/ });
export const AddOp = createToken({ name: 'AddOp', pattern: Lexer.NA, categories: [BinaryOp] });
export const Plus = createToken({ name: 'Plus', pattern: /\+/, categories: [AddOp] });
export const Minus = createToken({ name: 'Minus', pattern: /-/, categories: [AddOp] });
export const MulOp = createToken({ name: 'MulOp', pattern: Lexer.NA, categories: [BinaryOp] });
export const Star = createToken({ name: 'Star', pattern: /\*/, categories: [MulOp] });
export const Slash = createToken({ name: 'Slash', pattern: /\//, categories: [MulOp] });
export const Percent = createToken({ name: 'Percent', pattern: /%/, categories: [MulOp] });
export const Caret = createToken({ name: 'Caret', pattern: /\^/, categories: [BinaryOp] });

export const allTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedComment,
  NumberLiteral,
  StringLiteral,
  UnterminatedString,
  DotDot,
  Dot,
  LParen,
  RParen,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  Comma,
  Colon,
  EqEq,
  NotEq,
  LtEq,
  GtEq,
  Lt,
  Gt,
  Equals,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  Caret,
  CompareOp,
  AddOp,
  MulOp,
  BinaryOp,
  AnyName,
  // Longest keywords first, so that `inject` is not lexed as `in` + `ject`.
  ...[...keywordList].sort((a, b) => String(b.PATTERN).length - String(a.PATTERN).length),
  Identifier,
];
