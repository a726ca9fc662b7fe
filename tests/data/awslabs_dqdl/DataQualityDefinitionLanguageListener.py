# Generated from DataQualityDefinitionLanguage.g4 by ANTLR 4.13.1
from antlr4 import *
if "." in __name__:
    from .DataQualityDefinitionLanguageParser import DataQualityDefinitionLanguageParser
else:
    from DataQualityDefinitionLanguageParser import DataQualityDefinitionLanguageParser

# This class defines a complete listener for a parse tree produced by DataQualityDefinitionLanguageParser.
class DataQualityDefinitionLanguageListener(ParseTreeListener):

    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#metadataSectionStart.
    def enterMetadataSectionStart(self, ctx:DataQualityDefinitionLanguageParser.MetadataSectionStartContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#metadataSectionStart.
    def exitMetadataSectionStart(self, ctx:DataQualityDefinitionLanguageParser.MetadataSectionStartContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#dataSourcesSectionStart.
    def enterDataSourcesSectionStart(self, ctx:DataQualityDefinitionLanguageParser.DataSourcesSectionStartContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#dataSourcesSectionStart.
    def exitDataSourcesSectionStart(self, ctx:DataQualityDefinitionLanguageParser.DataSourcesSectionStartContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#rulesSectionStart.
    def enterRulesSectionStart(self, ctx:DataQualityDefinitionLanguageParser.RulesSectionStartContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#rulesSectionStart.
    def exitRulesSectionStart(self, ctx:DataQualityDefinitionLanguageParser.RulesSectionStartContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#analyzersSectionStart.
    def enterAnalyzersSectionStart(self, ctx:DataQualityDefinitionLanguageParser.AnalyzersSectionStartContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#analyzersSectionStart.
    def exitAnalyzersSectionStart(self, ctx:DataQualityDefinitionLanguageParser.AnalyzersSectionStartContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#dateNow.
    def enterDateNow(self, ctx:DataQualityDefinitionLanguageParser.DateNowContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#dateNow.
    def exitDateNow(self, ctx:DataQualityDefinitionLanguageParser.DateNowContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#durationUnit.
    def enterDurationUnit(self, ctx:DataQualityDefinitionLanguageParser.DurationUnitContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#durationUnit.
    def exitDurationUnit(self, ctx:DataQualityDefinitionLanguageParser.DurationUnitContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#durationExpression.
    def enterDurationExpression(self, ctx:DataQualityDefinitionLanguageParser.DurationExpressionContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#durationExpression.
    def exitDurationExpression(self, ctx:DataQualityDefinitionLanguageParser.DurationExpressionContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#sizeUnit.
    def enterSizeUnit(self, ctx:DataQualityDefinitionLanguageParser.SizeUnitContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#sizeUnit.
    def exitSizeUnit(self, ctx:DataQualityDefinitionLanguageParser.SizeUnitContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#sizeExpression.
    def enterSizeExpression(self, ctx:DataQualityDefinitionLanguageParser.SizeExpressionContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#sizeExpression.
    def exitSizeExpression(self, ctx:DataQualityDefinitionLanguageParser.SizeExpressionContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#timeExpression.
    def enterTimeExpression(self, ctx:DataQualityDefinitionLanguageParser.TimeExpressionContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#timeExpression.
    def exitTimeExpression(self, ctx:DataQualityDefinitionLanguageParser.TimeExpressionContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#dateExpressionOp.
    def enterDateExpressionOp(self, ctx:DataQualityDefinitionLanguageParser.DateExpressionOpContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#dateExpressionOp.
    def exitDateExpressionOp(self, ctx:DataQualityDefinitionLanguageParser.DateExpressionOpContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#dateExpression.
    def enterDateExpression(self, ctx:DataQualityDefinitionLanguageParser.DateExpressionContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#dateExpression.
    def exitDateExpression(self, ctx:DataQualityDefinitionLanguageParser.DateExpressionContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#atomicNumber.
    def enterAtomicNumber(self, ctx:DataQualityDefinitionLanguageParser.AtomicNumberContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#atomicNumber.
    def exitAtomicNumber(self, ctx:DataQualityDefinitionLanguageParser.AtomicNumberContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#functionParameters.
    def enterFunctionParameters(self, ctx:DataQualityDefinitionLanguageParser.FunctionParametersContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#functionParameters.
    def exitFunctionParameters(self, ctx:DataQualityDefinitionLanguageParser.FunctionParametersContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#functionCall.
    def enterFunctionCall(self, ctx:DataQualityDefinitionLanguageParser.FunctionCallContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#functionCall.
    def exitFunctionCall(self, ctx:DataQualityDefinitionLanguageParser.FunctionCallContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#numberOp.
    def enterNumberOp(self, ctx:DataQualityDefinitionLanguageParser.NumberOpContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#numberOp.
    def exitNumberOp(self, ctx:DataQualityDefinitionLanguageParser.NumberOpContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#number.
    def enterNumber(self, ctx:DataQualityDefinitionLanguageParser.NumberContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#number.
    def exitNumber(self, ctx:DataQualityDefinitionLanguageParser.NumberContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#quotedString.
    def enterQuotedString(self, ctx:DataQualityDefinitionLanguageParser.QuotedStringContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#quotedString.
    def exitQuotedString(self, ctx:DataQualityDefinitionLanguageParser.QuotedStringContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#matchesRegexCondition.
    def enterMatchesRegexCondition(self, ctx:DataQualityDefinitionLanguageParser.MatchesRegexConditionContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#matchesRegexCondition.
    def exitMatchesRegexCondition(self, ctx:DataQualityDefinitionLanguageParser.MatchesRegexConditionContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#numberArray.
    def enterNumberArray(self, ctx:DataQualityDefinitionLanguageParser.NumberArrayContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#numberArray.
    def exitNumberArray(self, ctx:DataQualityDefinitionLanguageParser.NumberArrayContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#numberBasedCondition.
    def enterNumberBasedCondition(self, ctx:DataQualityDefinitionLanguageParser.NumberBasedConditionContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#numberBasedCondition.
    def exitNumberBasedCondition(self, ctx:DataQualityDefinitionLanguageParser.NumberBasedConditionContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#variableDereference.
    def enterVariableDereference(self, ctx:DataQualityDefinitionLanguageParser.VariableDereferenceContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#variableDereference.
    def exitVariableDereference(self, ctx:DataQualityDefinitionLanguageParser.VariableDereferenceContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#stringValues.
    def enterStringValues(self, ctx:DataQualityDefinitionLanguageParser.StringValuesContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#stringValues.
    def exitStringValues(self, ctx:DataQualityDefinitionLanguageParser.StringValuesContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#stringValuesArray.
    def enterStringValuesArray(self, ctx:DataQualityDefinitionLanguageParser.StringValuesArrayContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#stringValuesArray.
    def exitStringValuesArray(self, ctx:DataQualityDefinitionLanguageParser.StringValuesArrayContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#stringBasedCondition.
    def enterStringBasedCondition(self, ctx:DataQualityDefinitionLanguageParser.StringBasedConditionContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#stringBasedCondition.
    def exitStringBasedCondition(self, ctx:DataQualityDefinitionLanguageParser.StringBasedConditionContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#tagValues.
    def enterTagValues(self, ctx:DataQualityDefinitionLanguageParser.TagValuesContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#tagValues.
    def exitTagValues(self, ctx:DataQualityDefinitionLanguageParser.TagValuesContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#dateExpressionArray.
    def enterDateExpressionArray(self, ctx:DataQualityDefinitionLanguageParser.DateExpressionArrayContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#dateExpressionArray.
    def exitDateExpressionArray(self, ctx:DataQualityDefinitionLanguageParser.DateExpressionArrayContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#dateBasedCondition.
    def enterDateBasedCondition(self, ctx:DataQualityDefinitionLanguageParser.DateBasedConditionContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#dateBasedCondition.
    def exitDateBasedCondition(self, ctx:DataQualityDefinitionLanguageParser.DateBasedConditionContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#durationExpressionArray.
    def enterDurationExpressionArray(self, ctx:DataQualityDefinitionLanguageParser.DurationExpressionArrayContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#durationExpressionArray.
    def exitDurationExpressionArray(self, ctx:DataQualityDefinitionLanguageParser.DurationExpressionArrayContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#durationBasedCondition.
    def enterDurationBasedCondition(self, ctx:DataQualityDefinitionLanguageParser.DurationBasedConditionContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#durationBasedCondition.
    def exitDurationBasedCondition(self, ctx:DataQualityDefinitionLanguageParser.DurationBasedConditionContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#sizeExpressionArray.
    def enterSizeExpressionArray(self, ctx:DataQualityDefinitionLanguageParser.SizeExpressionArrayContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#sizeExpressionArray.
    def exitSizeExpressionArray(self, ctx:DataQualityDefinitionLanguageParser.SizeExpressionArrayContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#sizeBasedCondition.
    def enterSizeBasedCondition(self, ctx:DataQualityDefinitionLanguageParser.SizeBasedConditionContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#sizeBasedCondition.
    def exitSizeBasedCondition(self, ctx:DataQualityDefinitionLanguageParser.SizeBasedConditionContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#ruleType.
    def enterRuleType(self, ctx:DataQualityDefinitionLanguageParser.RuleTypeContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#ruleType.
    def exitRuleType(self, ctx:DataQualityDefinitionLanguageParser.RuleTypeContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#analyzerType.
    def enterAnalyzerType(self, ctx:DataQualityDefinitionLanguageParser.AnalyzerTypeContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#analyzerType.
    def exitAnalyzerType(self, ctx:DataQualityDefinitionLanguageParser.AnalyzerTypeContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#parameter.
    def enterParameter(self, ctx:DataQualityDefinitionLanguageParser.ParameterContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#parameter.
    def exitParameter(self, ctx:DataQualityDefinitionLanguageParser.ParameterContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#connectorWord.
    def enterConnectorWord(self, ctx:DataQualityDefinitionLanguageParser.ConnectorWordContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#connectorWord.
    def exitConnectorWord(self, ctx:DataQualityDefinitionLanguageParser.ConnectorWordContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#parameterWithConnectorWord.
    def enterParameterWithConnectorWord(self, ctx:DataQualityDefinitionLanguageParser.ParameterWithConnectorWordContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#parameterWithConnectorWord.
    def exitParameterWithConnectorWord(self, ctx:DataQualityDefinitionLanguageParser.ParameterWithConnectorWordContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#tagWithCondition.
    def enterTagWithCondition(self, ctx:DataQualityDefinitionLanguageParser.TagWithConditionContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#tagWithCondition.
    def exitTagWithCondition(self, ctx:DataQualityDefinitionLanguageParser.TagWithConditionContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#condition.
    def enterCondition(self, ctx:DataQualityDefinitionLanguageParser.ConditionContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#condition.
    def exitCondition(self, ctx:DataQualityDefinitionLanguageParser.ConditionContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#whereClause.
    def enterWhereClause(self, ctx:DataQualityDefinitionLanguageParser.WhereClauseContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#whereClause.
    def exitWhereClause(self, ctx:DataQualityDefinitionLanguageParser.WhereClauseContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#defaultLabels.
    def enterDefaultLabels(self, ctx:DataQualityDefinitionLanguageParser.DefaultLabelsContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#defaultLabels.
    def exitDefaultLabels(self, ctx:DataQualityDefinitionLanguageParser.DefaultLabelsContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#labels.
    def enterLabels(self, ctx:DataQualityDefinitionLanguageParser.LabelsContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#labels.
    def exitLabels(self, ctx:DataQualityDefinitionLanguageParser.LabelsContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#label.
    def enterLabel(self, ctx:DataQualityDefinitionLanguageParser.LabelContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#label.
    def exitLabel(self, ctx:DataQualityDefinitionLanguageParser.LabelContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#dqRule.
    def enterDqRule(self, ctx:DataQualityDefinitionLanguageParser.DqRuleContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#dqRule.
    def exitDqRule(self, ctx:DataQualityDefinitionLanguageParser.DqRuleContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#dqAnalyzer.
    def enterDqAnalyzer(self, ctx:DataQualityDefinitionLanguageParser.DqAnalyzerContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#dqAnalyzer.
    def exitDqAnalyzer(self, ctx:DataQualityDefinitionLanguageParser.DqAnalyzerContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#expression.
    def enterExpression(self, ctx:DataQualityDefinitionLanguageParser.ExpressionContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#expression.
    def exitExpression(self, ctx:DataQualityDefinitionLanguageParser.ExpressionContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#variableDeclaration.
    def enterVariableDeclaration(self, ctx:DataQualityDefinitionLanguageParser.VariableDeclarationContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#variableDeclaration.
    def exitVariableDeclaration(self, ctx:DataQualityDefinitionLanguageParser.VariableDeclarationContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#variableDeclarations.
    def enterVariableDeclarations(self, ctx:DataQualityDefinitionLanguageParser.VariableDeclarationsContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#variableDeclarations.
    def exitVariableDeclarations(self, ctx:DataQualityDefinitionLanguageParser.VariableDeclarationsContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#topLevelRule.
    def enterTopLevelRule(self, ctx:DataQualityDefinitionLanguageParser.TopLevelRuleContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#topLevelRule.
    def exitTopLevelRule(self, ctx:DataQualityDefinitionLanguageParser.TopLevelRuleContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#dqRules.
    def enterDqRules(self, ctx:DataQualityDefinitionLanguageParser.DqRulesContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#dqRules.
    def exitDqRules(self, ctx:DataQualityDefinitionLanguageParser.DqRulesContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#dqAnalyzers.
    def enterDqAnalyzers(self, ctx:DataQualityDefinitionLanguageParser.DqAnalyzersContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#dqAnalyzers.
    def exitDqAnalyzers(self, ctx:DataQualityDefinitionLanguageParser.DqAnalyzersContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#rules.
    def enterRules(self, ctx:DataQualityDefinitionLanguageParser.RulesContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#rules.
    def exitRules(self, ctx:DataQualityDefinitionLanguageParser.RulesContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#analyzers.
    def enterAnalyzers(self, ctx:DataQualityDefinitionLanguageParser.AnalyzersContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#analyzers.
    def exitAnalyzers(self, ctx:DataQualityDefinitionLanguageParser.AnalyzersContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#dictionary.
    def enterDictionary(self, ctx:DataQualityDefinitionLanguageParser.DictionaryContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#dictionary.
    def exitDictionary(self, ctx:DataQualityDefinitionLanguageParser.DictionaryContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#pair.
    def enterPair(self, ctx:DataQualityDefinitionLanguageParser.PairContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#pair.
    def exitPair(self, ctx:DataQualityDefinitionLanguageParser.PairContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#pairValue.
    def enterPairValue(self, ctx:DataQualityDefinitionLanguageParser.PairValueContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#pairValue.
    def exitPairValue(self, ctx:DataQualityDefinitionLanguageParser.PairValueContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#array.
    def enterArray(self, ctx:DataQualityDefinitionLanguageParser.ArrayContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#array.
    def exitArray(self, ctx:DataQualityDefinitionLanguageParser.ArrayContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#metadata.
    def enterMetadata(self, ctx:DataQualityDefinitionLanguageParser.MetadataContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#metadata.
    def exitMetadata(self, ctx:DataQualityDefinitionLanguageParser.MetadataContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#dataSources.
    def enterDataSources(self, ctx:DataQualityDefinitionLanguageParser.DataSourcesContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#dataSources.
    def exitDataSources(self, ctx:DataQualityDefinitionLanguageParser.DataSourcesContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#rulesOrAnalyzers.
    def enterRulesOrAnalyzers(self, ctx:DataQualityDefinitionLanguageParser.RulesOrAnalyzersContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#rulesOrAnalyzers.
    def exitRulesOrAnalyzers(self, ctx:DataQualityDefinitionLanguageParser.RulesOrAnalyzersContext):
        pass


    # Enter a parse tree produced by DataQualityDefinitionLanguageParser#document.
    def enterDocument(self, ctx:DataQualityDefinitionLanguageParser.DocumentContext):
        pass

    # Exit a parse tree produced by DataQualityDefinitionLanguageParser#document.
    def exitDocument(self, ctx:DataQualityDefinitionLanguageParser.DocumentContext):
        pass



del DataQualityDefinitionLanguageParser