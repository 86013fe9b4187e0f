" Highlighting for constitutionc's .cdl files (the TextMate grammar of the VS Code extension, in Vim terms).
if exists("b:current_syntax")
  finish
endif

syntax keyword cdlConstruct constitution import section value principal principle tension dilemma probe environment
syntax keyword cdlRelation teaches tests over when and or is not from to
syntax keyword cdlField text why kind tags default switchable_by prose priority user stance misaligned alternatives
      \ context system pressure rubric condition vary slot set exclude check tool param says omits clause
      \ persona count title systems email document
syntax match cdlNumber /\<-\?\d\+\(\.\d\+\)\?\>/
syntax match cdlSlot /{[A-Za-z_][A-Za-z0-9_]*}/ contained
syntax region cdlTextBlock start=/"""/ end=/"""\("\)\@!/ contains=cdlSlot
syntax region cdlString start=/"/ skip=/\\./ end=/"/ oneline contains=cdlSlot
syntax match cdlSuppression /constitutionc:\s*ignore\[[^\]]*\]/ contained
syntax match cdlComment /#.*$/ contains=cdlSuppression

highlight default link cdlConstruct Keyword
highlight default link cdlRelation Operator
highlight default link cdlField Identifier
highlight default link cdlNumber Number
highlight default link cdlString String
highlight default link cdlTextBlock String
highlight default link cdlSlot Special
highlight default link cdlComment Comment
highlight default link cdlSuppression PreProc

let b:current_syntax = "constitution"
