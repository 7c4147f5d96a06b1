import { CstParser, type CstNode, type IToken } from 'chevrotain';
import * as T from './tokens.js';

/**
 * The grammar of Ouro as a Chevrotain CST parser with error recovery on. The CST is turned
 * into the AST by cst-to-ast.ts. Statements are introduced by keywords, so the grammar is
 * insensitive to line breaks.
 */
export class OuroParser extends CstParser {
  constructor() {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, nodeLocationTracking: 'onlyOffset' });
    this.performSelfAnalysis();
  }

  spec = this.RULE('spec', () => {
    this.MANY(() => this.SUBRULE(this.decl));
  });

  decl = this.RULE('decl', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.useDecl) },
      { ALT: () => this.SUBRULE(this.dataDecl) },
      { ALT: () => this.SUBRULE(this.constDecl) },
      { ALT: () => this.SUBRULE(this.moduleDecl) },
      { ALT: () => this.SUBRULE(this.experimentDecl) },
    ]);
  });

  useDecl = this.RULE('useDecl', () => {
    this.CONSUME(T.Use);
    this.CONSUME(T.StringLiteral);
  });

  dataDecl = this.RULE('dataDecl', () => {
    this.CONSUME(T.Data);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  constDecl = this.RULE('constDecl', () => {
    this.CONSUME(T.Const);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  moduleDecl = this.RULE('moduleDecl', () => {
    this.CONSUME(T.Module);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.param) });
    this.CONSUME(T.RParen);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  param = this.RULE('param', () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.expression);
    });
  });

  experimentDecl = this.RULE('experimentDecl', () => {
    this.CONSUME(T.Experiment);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.stmt));
    this.CONSUME(T.RBrace);
  });

  stmt = this.RULE('stmt', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.seedStmt) },
      { ALT: () => this.SUBRULE(this.replicatesStmt) },
      { ALT: () => this.SUBRULE(this.sweepStmt) },
      { ALT: () => this.SUBRULE(this.modelStmt) },
      { ALT: () => this.SUBRULE(this.generatorsStmt) },
      { ALT: () => this.SUBRULE(this.retrainStmt) },
      { ALT: () => this.SUBRULE(this.cycleStmt) },
      { ALT: () => this.SUBRULE(this.selectStmt) },
      { ALT: () => this.SUBRULE(this.compareStmt) },
      { ALT: () => this.SUBRULE(this.trainStmt) },
      { ALT: () => this.SUBRULE(this.fitStmt) },
      { ALT: () => this.SUBRULE(this.metricStmt) },
      { ALT: () => this.SUBRULE(this.viewStmt) },
      { ALT: () => this.SUBRULE(this.previewStmt) },
    ]);
  });

  seedStmt = this.RULE('seedStmt', () => {
    this.CONSUME(T.Seed);
    this.SUBRULE(this.expression);
  });

  replicatesStmt = this.RULE('replicatesStmt', () => {
    this.CONSUME(T.Replicates);
    this.SUBRULE(this.expression);
  });

  sweepStmt = this.RULE('sweepStmt', () => {
    this.CONSUME(T.Sweep);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.In);
    this.SUBRULE(this.expression);
  });

  modelStmt = this.RULE('modelStmt', () => {
    this.CONSUME(T.Model);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Fractal);
          this.OPTION(() => {
            this.CONSUME(T.On);
            this.SUBRULE(this.expression, { LABEL: 'on' });
          });
          this.CONSUME(T.LBrace);
          this.MANY(() => this.SUBRULE(this.fractalLevel));
          this.CONSUME(T.RBrace);
        },
      },
      {
        ALT: () => {
          this.SUBRULE2(this.expression, { LABEL: 'value' });
          this.OPTION2(() => {
            this.CONSUME2(T.On);
            this.SUBRULE3(this.expression, { LABEL: 'on' });
          });
        },
      },
    ]);
  });

  fractalLevel = this.RULE('fractalLevel', () => {
    this.OR([{ ALT: () => this.CONSUME(T.Level) }, { ALT: () => this.CONSUME(T.Pixel) }]);
    this.SUBRULE(this.expression);
  });

  generatorsStmt = this.RULE('generatorsStmt', () => {
    this.CONSUME(T.Generators);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  retrainStmt = this.RULE('retrainStmt', () => {
    this.CONSUME(T.Retrain);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.For);
    this.SUBRULE(this.expression);
    this.CONSUME(T.Generations);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.mixStmt));
    this.CONSUME(T.RBrace);
  });

  mixStmt = this.RULE('mixStmt', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.sourceStmt) },
      { ALT: () => this.SUBRULE(this.weightsStmt) },
      { ALT: () => this.SUBRULE(this.injectStmt) },
    ]);
  });

  sourceStmt = this.RULE('sourceStmt', () => {
    this.OR([{ ALT: () => this.CONSUME(T.Real) }, { ALT: () => this.CONSUME(T.Synthetic) }]);
    this.SUBRULE(this.expression, { LABEL: 'count' });
    this.CONSUME(T.From);
    this.SUBRULE2(this.expression, { LABEL: 'from' });
    this.OPTION(() => this.SUBRULE(this.schedule));
  });

  weightsStmt = this.RULE('weightsStmt', () => {
    this.CONSUME(T.Weights);
    this.OR([
      {
        GATE: () => this.LA(2).tokenType === T.Colon,
        ALT: () => {
          this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.weightEntry) });
        },
      },
      { ALT: () => this.CONSUME(T.Identifier) },
    ]);
  });

  weightEntry = this.RULE('weightEntry', () => {
    this.CONSUME(T.AnyName);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.expression);
  });

  injectStmt = this.RULE('injectStmt', () => {
    this.CONSUME(T.Inject);
    this.SUBRULE(this.expression, { LABEL: 'amount' });
    this.CONSUME(T.From);
    this.SUBRULE2(this.expression, { LABEL: 'from' });
    this.OPTION(() => {
      this.CONSUME(T.Into);
      this.CONSUME(T.Identifier);
    });
    this.OPTION2(() => this.SUBRULE(this.schedule));
  });

  cycleStmt = this.RULE('cycleStmt', () => {
    this.CONSUME(T.Cycle);
    this.CONSUME(T.For);
    this.SUBRULE(this.expression);
    this.CONSUME(T.Generations);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.cycleItem));
    this.CONSUME(T.RBrace);
  });

  cycleItem = this.RULE('cycleItem', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.learnsStmt) },
      { ALT: () => this.SUBRULE(this.injectStmt) },
      { ALT: () => this.SUBRULE(this.freezeStmt) },
    ]);
  });

  learnsStmt = this.RULE('learnsStmt', () => {
    this.CONSUME(T.Identifier, { LABEL: 'learner' });
    this.CONSUME(T.Learns);
    this.CONSUME(T.From);
    this.OPTION(() => {
      this.CONSUME(T.Captions);
      this.CONSUME(T.Of);
    });
    this.CONSUME2(T.Identifier, { LABEL: 'teacher' });
    this.CONSUME(T.Samples);
    this.SUBRULE(this.expression);
  });

  freezeStmt = this.RULE('freezeStmt', () => {
    this.CONSUME(T.Freeze);
    this.CONSUME(T.Identifier);
  });

  selectStmt = this.RULE('selectStmt', () => {
    this.CONSUME(T.Select);
    this.CONSUME(T.From);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.By);
    this.SUBRULE(this.expression);
  });

  compareStmt = this.RULE('compareStmt', () => {
    this.CONSUME(T.Compare);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression) });
  });

  trainStmt = this.RULE('trainStmt', () => {
    this.CONSUME(T.Train);
    this.SUBRULE(this.expression, { LABEL: 'pair' });
    this.CONSUME(T.On);
    this.SUBRULE2(this.expression, { LABEL: 'on' });
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.phaseStmt));
    this.CONSUME(T.RBrace);
  });

  phaseStmt = this.RULE('phaseStmt', () => {
    this.CONSUME(T.Phase);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.expression, { LABEL: 'steps' });
    this.CONSUME(T.Steps);
    this.OPTION(() => {
      this.CONSUME(T.When);
      this.SUBRULE2(this.expression, { LABEL: 'when' });
    });
    this.OPTION2(() => this.SUBRULE(this.optionsBlock));
  });

  fitStmt = this.RULE('fitStmt', () => {
    this.CONSUME(T.Fit);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.Identifier) });
    this.CONSUME(T.For);
    this.SUBRULE(this.expression);
    this.CONSUME(T.Steps);
    this.OPTION(() => this.SUBRULE(this.optionsBlock));
  });

  metricStmt = this.RULE('metricStmt', () => {
    this.CONSUME(T.Metric);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
    this.OPTION(() => this.SUBRULE(this.schedule));
  });

  schedule = this.RULE('schedule', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.At);
          this.CONSUME(T.Final);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Every);
          this.OPTION(() => this.SUBRULE(this.expression));
          this.SUBRULE(this.unit);
        },
      },
    ]);
  });

  unit = this.RULE('unit', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Generations) },
      { ALT: () => this.CONSUME(T.Generation) },
      { ALT: () => this.CONSUME(T.Steps) },
      { ALT: () => this.CONSUME(T.Step) },
      { ALT: () => this.CONSUME(T.Rounds) },
      { ALT: () => this.CONSUME(T.Round) },
    ]);
  });

  viewStmt = this.RULE('viewStmt', () => {
    this.CONSUME(T.View);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Samples);
          this.CONSUME(T.Identifier, { LABEL: 'model' });
          this.CONSUME(T.As);
          this.CONSUME2(T.Identifier, { LABEL: 'as' });
        },
      },
      {
        ALT: () => {
          this.CONSUME3(T.Identifier, { LABEL: 'subject' });
          this.OPTION(() => {
            this.CONSUME(T.Over);
            this.CONSUME(T.AnyName, { LABEL: 'over' });
          });
          this.OPTION2(() => {
            this.CONSUME(T.By);
            this.CONSUME2(T.AnyName, { LABEL: 'by' });
          });
          this.OPTION3(() => {
            this.CONSUME(T.Mark);
            this.CONSUME4(T.Identifier, { LABEL: 'mark' });
          });
        },
      },
    ]);
  });

  previewStmt = this.RULE('previewStmt', () => {
    this.CONSUME(T.Preview);
    this.SUBRULE(this.optionsBlock);
  });

  optionsBlock = this.RULE('optionsBlock', () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.SUBRULE(this.optionEntry);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RBrace);
  });

  optionEntry = this.RULE('optionEntry', () => {
    this.CONSUME(T.AnyName);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Colon);
          this.SUBRULE(this.expression);
        },
      },
      { ALT: () => this.SUBRULE(this.argList) },
    ]);
  });

  // ---------- Expressions ----------

  expression = this.RULE('expression', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.ifExpr) },
      {
        ALT: () => {
          this.SUBRULE(this.binaryExpr, { LABEL: 'from' });
          this.OPTION(() => {
            this.CONSUME(T.DotDot);
            this.SUBRULE2(this.binaryExpr, { LABEL: 'to' });
            this.OPTION2(() => {
              this.CONSUME(T.Step);
              this.SUBRULE3(this.binaryExpr, { LABEL: 'step' });
            });
          });
        },
      },
    ]);
  });

  ifExpr = this.RULE('ifExpr', () => {
    this.CONSUME(T.If);
    this.SUBRULE(this.expression, { LABEL: 'cond' });
    this.CONSUME(T.Then);
    this.SUBRULE2(this.expression, { LABEL: 'then' });
    this.CONSUME(T.Else);
    this.SUBRULE3(this.expression, { LABEL: 'else' });
  });

  // Operands and operators in a flat list: precedence is resolved when the AST is built
  // (cst-to-ast.ts). Few, flat rules keep the CST small and the parser fast.
  binaryExpr = this.RULE('binaryExpr', () => {
    this.SUBRULE(this.prefixExpr, { LABEL: 'operands' });
    this.MANY(() => {
      this.CONSUME(T.BinaryOp, { LABEL: 'ops' });
      this.SUBRULE2(this.prefixExpr, { LABEL: 'operands' });
    });
  });

  /** An operand: prefix operators, a primary, then member accesses and calls. */
  prefixExpr = this.RULE('prefixExpr', () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Minus, { LABEL: 'prefix' }) },
        { ALT: () => this.CONSUME(T.Not, { LABEL: 'prefix' }) },
      ]);
    });
    this.OR2([
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.CONSUME(T.StringLiteral) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.CONSUME(T.Identifier) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.expression, { LABEL: 'inner' });
          this.CONSUME(T.RParen);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LBracket);
          this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE2(this.expression, { LABEL: 'items' }) });
          this.CONSUME(T.RBracket);
        },
      },
    ]);
    this.MANY2(() => {
      this.OR3([
        {
          ALT: () => {
            this.CONSUME(T.Dot);
            this.CONSUME(T.AnyName);
          },
        },
        { ALT: () => this.SUBRULE(this.argList) },
      ]);
    });
  });

  argList = this.RULE('argList', () => {
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.arg) });
    this.CONSUME(T.RParen);
  });

  arg = this.RULE('arg', () => {
    this.OPTION({
      GATE: () => this.LA(2).tokenType === T.Colon,
      DEF: () => {
        this.CONSUME(T.AnyName);
        this.CONSUME(T.Colon);
      },
    });
    this.SUBRULE(this.expression);
  });
}

let shared: OuroParser | undefined;

/** One parser instance is reused (Chevrotain's recommendation: construction analyses the grammar). */
export function parserInstance(): OuroParser {
  shared ??= new OuroParser();
  return shared;
}

export type { CstNode, IToken };
